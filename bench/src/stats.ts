/** The value below which a fraction q of the samples fall (nearest-rank). */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** A growable list of latency samples in milliseconds, sorted once at the end. */
export class Samples {
  #values = new Float64Array(1024);
  #count = 0;

  add(value: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = value;
  }

  get count(): number {
    return this.#count;
  }

  sorted(): Float64Array {
    return this.#values.slice(0, this.#count).sort();
  }
}
