import { parkedFetchesMax } from '../limits.js';

interface ParkedFetch {
  readonly keys: readonly string[];
  readonly timer: NodeJS.Timeout;
  readonly wake: () => void;
}

/**
 * Long-polling fetches wait here until something happens on one of their partitions or
 * their wait is over. Events wake them (never a polling loop); a woken fetch reads again
 * and parks once more if it still has too little, so min_bytes is judged on what it would
 * really send. Each parked fetch completes exactly once, and the number parked is capped:
 * past the cap a fetch answers at once with what it has.
 */
export class FetchPurgatory {
  readonly #byKey = new Map<string, Set<ParkedFetch>>();
  #count = 0;

  get size(): number {
    return this.#count;
  }

  /** Resolves when one of the keys is notified or maxWaitMs passes; at once when full. */
  park(keys: readonly string[], maxWaitMs: number): Promise<void> {
    if (this.#count >= parkedFetchesMax || keys.length === 0 || maxWaitMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(parked.timer);
        this.#remove(parked);
        resolve();
      };
      const parked: ParkedFetch = { keys, timer: setTimeout(finish, maxWaitMs), wake: finish };
      this.#add(parked);
    });
  }

  /** Something a fetch may want happened on this key (data appended, high watermark moved). */
  notify(key: string): void {
    const waiting = this.#byKey.get(key);
    if (waiting === undefined) return;
    for (const parked of [...waiting]) parked.wake();
  }

  /** Wakes everything, for shutdown. */
  wakeAll(): void {
    for (const waiting of [...this.#byKey.values()]) {
      for (const parked of [...waiting]) parked.wake();
    }
  }

  #add(parked: ParkedFetch): void {
    this.#count++;
    for (const key of parked.keys) {
      let waiting = this.#byKey.get(key);
      if (waiting === undefined) {
        waiting = new Set();
        this.#byKey.set(key, waiting);
      }
      waiting.add(parked);
    }
  }

  #remove(parked: ParkedFetch): void {
    this.#count--;
    for (const key of parked.keys) {
      const waiting = this.#byKey.get(key);
      waiting?.delete(parked);
      if (waiting?.size === 0) this.#byKey.delete(key);
    }
  }
}

/**
 * Waits in the purgatory until `read` returns at least minBytes or the deadline passes,
 * reading again each time a key is notified. Returns the last read. `first` is a read the
 * caller already made, so the wait starts from it instead of reading again at once.
 */
export async function readWhenEnough<T extends { readonly bytes: number; readonly done: boolean }>(options: {
  readonly purgatory: FetchPurgatory;
  readonly keys: readonly string[];
  readonly minBytes: number;
  readonly maxWaitMs: number;
  readonly read: () => T;
  readonly first?: T;
}): Promise<T> {
  const deadline = Date.now() + options.maxWaitMs;
  let result = options.first ?? options.read();
  while (!result.done && result.bytes < options.minBytes) {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0 || options.purgatory.size >= parkedFetchesMax) break;
    await options.purgatory.park(options.keys, remainingMs);
    result = options.read();
  }
  return result;
}
