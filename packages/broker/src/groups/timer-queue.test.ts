import { SeededRandom } from '@rill/base';
import { describe, expect, it } from 'vitest';
import { TimerQueue } from './timer-queue.js';

describe('TimerQueue', () => {
  it('hands back due keys earliest first; rescheduling replaces and cancel removes', () => {
    const timers = new TimerQueue<string>();
    timers.schedule('a', 30, 'A');
    timers.schedule('b', 10, 'B');
    timers.schedule('c', 20, 'C');
    timers.schedule('a', 5, 'A2');
    timers.cancel('c');
    expect(timers.nextDeadlineMs()).toBe(5);
    expect(timers.popDue(4)).toBeNull();
    expect(timers.popDue(100)).toEqual({ id: 'a', value: 'A2' });
    expect(timers.popDue(100)).toEqual({ id: 'b', value: 'B' });
    expect(timers.popDue(100)).toBeNull();
    expect(timers.nextDeadlineMs()).toBe(Number.POSITIVE_INFINITY);
    expect(timers.size).toBe(0);
  });

  it('agrees with a sorted list over random schedules and cancels (seeded)', () => {
    const random = new SeededRandom(7);
    const timers = new TimerQueue<number>();
    const model = new Map<string, number>();
    for (let step = 0; step < 5000; step++) {
      const id = `k${random.between(0, 200)}`;
      const action = random.between(0, 2);
      if (action === 0) {
        timers.cancel(id);
        model.delete(id);
      } else {
        const deadline = random.between(0, 10_000);
        timers.schedule(id, deadline, deadline);
        model.set(id, deadline);
      }
    }
    const expected = [...model.entries()].sort((a, b) => a[1] - b[1]).map(([, d]) => d);
    const got: number[] = [];
    for (let due = timers.popDue(Infinity); due !== null; due = timers.popDue(Infinity)) got.push(due.value);
    expect(got).toEqual(expected);
  });
});
