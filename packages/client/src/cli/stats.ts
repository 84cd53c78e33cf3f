import { latencySamplesMax } from '../limits.js';

/** Latency samples for percentiles; beyond the limit a uniform reservoir keeps memory flat. */
export class LatencySamples {
  readonly #values: number[] = [];
  #seen = 0;
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  add(value: number): void {
    this.#seen++;
    if (this.#values.length < latencySamplesMax) return void this.#values.push(value);
    const slot = Math.floor(this.#random() * this.#seen);
    if (slot < latencySamplesMax) this.#values[slot] = value;
  }

  /** The q-quantile (0..1) by nearest rank; NaN without samples. */
  percentile(q: number): number {
    if (this.#values.length === 0) return Number.NaN;
    const sorted = [...this.#values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  }
}
