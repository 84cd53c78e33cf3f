import { parkedFetchesMax } from '../limits.js';

interface ParkedFetch {
  readonly partitionKeys: readonly string[];
  readonly minBytes: number;
  arrivedBytes: number;
  readonly timer: NodeJS.Timeout;
  readonly wake: () => void;
}

/**
 * Long-polling fetches wait here until enough data arrives on one of their partitions or
 * their max wait passes. Appends wake them (never a polling loop), each parked fetch
 * completes exactly once, and the number parked is capped: past the cap a fetch answers
 * at once with what it has.
 */
export class FetchPurgatory {
  readonly #byPartition = new Map<string, Set<ParkedFetch>>();
  #count = 0;

  get size(): number {
    return this.#count;
  }

  /** Resolves when data arrives or maxWaitMs passes; immediately when full. */
  park(partitionKeys: readonly string[], minBytes: number, maxWaitMs: number): Promise<void> {
    if (this.#count >= parkedFetchesMax || partitionKeys.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(parked.timer);
        this.#remove(parked);
        resolve();
      };
      const parked: ParkedFetch = {
        partitionKeys,
        minBytes: Math.max(1, minBytes),
        arrivedBytes: 0,
        timer: setTimeout(finish, maxWaitMs),
        wake: finish,
      };
      this.#add(parked);
    });
  }

  /** Data was appended to a partition: wake the fetches it satisfies. */
  dataArrived(partitionKey: string, bytes: number): void {
    const waiting = this.#byPartition.get(partitionKey);
    if (waiting === undefined) return;
    for (const parked of [...waiting]) {
      parked.arrivedBytes += bytes;
      if (parked.arrivedBytes >= parked.minBytes) parked.wake();
    }
  }

  /** Wakes everything, for shutdown. */
  wakeAll(): void {
    for (const waiting of [...this.#byPartition.values()]) {
      for (const parked of [...waiting]) parked.wake();
    }
  }

  #add(parked: ParkedFetch): void {
    this.#count++;
    for (const key of parked.partitionKeys) {
      let waiting = this.#byPartition.get(key);
      if (waiting === undefined) {
        waiting = new Set();
        this.#byPartition.set(key, waiting);
      }
      waiting.add(parked);
    }
  }

  #remove(parked: ParkedFetch): void {
    this.#count--;
    for (const key of parked.partitionKeys) {
      const waiting = this.#byPartition.get(key);
      waiting?.delete(parked);
      if (waiting?.size === 0) this.#byPartition.delete(key);
    }
  }
}
