/**
 * Simulated time: a clock that only moves when the next scheduled event runs. Units are the
 * caller's (ticks for the Raft simulation). Nothing here reads real time.
 */
import { assert } from '@rill/base';
import { PriorityQueue } from './priority-queue.js';

export type SimEvent = () => void;

export class SimClock {
  readonly #queue = new PriorityQueue<SimEvent>();
  #now = 0;
  #sequence = 0;
  #eventsRun = 0;

  get now(): number {
    return this.#now;
  }

  /** Events run so far: the simulation's measure of work, for bounds and reports. */
  get eventsRun(): number {
    return this.#eventsRun;
  }

  get pending(): number {
    return this.#queue.size;
  }

  /** Run `event` `delay` units from now (0: after everything already due now). */
  schedule(delay: number, event: SimEvent): void {
    assert(Number.isFinite(delay) && delay >= 0, `delay ${delay} must be finite and >= 0`);
    this.#queue.push({ time: this.#now + delay, sequence: this.#sequence++, value: event });
  }

  /** Run the next event if it is due at or before `until`. False when there is none. */
  step(until = Number.POSITIVE_INFINITY): boolean {
    const next = this.#queue.peek();
    if (next === undefined || next.time > until) return false;
    this.#queue.pop();
    assert(next.time >= this.#now, 'time never goes back');
    this.#now = next.time;
    this.#eventsRun++;
    next.value();
    return true;
  }
}
