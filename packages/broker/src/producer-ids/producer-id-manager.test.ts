import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ProducerIdManager, type ProducerIdBlock } from './producer-id-manager.js';

const logger = pino({ level: 'silent' });

/** A controller that hands out consecutive blocks of `length`, and counts the asks. */
function controller(length: number) {
  const state = { asks: 0, next: 5_000, answer: true, gate: null as Promise<void> | null };
  const allocate = async (): Promise<ProducerIdBlock | null> => {
    state.asks++;
    if (state.gate !== null) await state.gate;
    if (!state.answer) return null;
    const block = { start: state.next, length };
    state.next += length;
    return block;
  };
  return { state, manager: new ProducerIdManager({ allocate, retryBackoffMs: 5, logger }) };
}

describe('ProducerIdManager', () => {
  it('hands out the ids of a block in order, then those of the next', async () => {
    const { state, manager } = controller(10);
    const ids: (number | null)[] = [];
    for (let i = 0; i < 25; i++) ids.push(await manager.next(1000));
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => 5_000 + i));
    expect(state.asks).toBe(3);
  });

  it('fetches the next block once 90% of the current one is used, before it runs out', async () => {
    const { state, manager } = controller(100);
    for (let i = 0; i < 90; i++) await manager.next(1000);
    expect(state.asks).toBe(1);
    expect(await manager.next(1000)).toBe(5_090);
    expect(state.asks).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    // The controller is gone now: the prefetched block still serves without a wait.
    state.answer = false;
    for (let i = 0; i < 109; i++) expect(await manager.next(0)).toBe(5_091 + i);
    expect(await manager.next(0)).toBeNull();
  });

  it('shares one allocation among concurrent callers', async () => {
    const { state, manager } = controller(1000);
    let open!: () => void;
    state.gate = new Promise((resolve) => (open = resolve));
    const waiting = Promise.all(Array.from({ length: 20 }, () => manager.next(1000)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    open();
    const ids = await waiting;
    expect(new Set(ids).size).toBe(20);
    expect(state.asks).toBe(1);
  });

  it('gives up after the wait when no block comes, and tries again on the next call', async () => {
    const { state, manager } = controller(10);
    state.answer = false;
    const started = Date.now();
    expect(await manager.next(60)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(state.asks).toBeGreaterThan(1);
    state.answer = true;
    expect(await manager.next(1000)).toBe(5_000);
  });
});
