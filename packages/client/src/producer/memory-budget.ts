import { DeadlineExceededError, LimitExceededError } from '../errors.js';
import { memoryWaitersMax } from '../limits.js';

interface Waiter {
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * The producer's buffer memory (buffer.memory): batches reserve their capacity before they
 * are allocated and give it back when they complete. When it is used up, send() waits here
 * — first come, first served — instead of allocating more.
 */
export class MemoryBudget {
  readonly capacityBytes: number;
  readonly #pooledBytes: number;
  #usedBytes = 0;
  readonly #waiters: Waiter[] = [];
  /**
   * Buffers of exactly `pooledBytes` (batch.size) given back by completed batches, reused
   * as Java's BufferPool does: allocating and collecting a large external buffer per batch
   * was a main cost at high rates. At most capacity / pooledBytes of them exist.
   */
  readonly #free: Buffer[] = [];

  constructor(capacityBytes: number, pooledBytes = 0) {
    this.capacityBytes = capacityBytes;
    this.#pooledBytes = pooledBytes;
  }

  /** A buffer for reserved bytes: a pooled one when the size is batch.size. */
  allocate(bytes: number): Buffer {
    if (bytes === this.#pooledBytes && this.#free.length > 0) return this.#free.pop()!;
    return Buffer.allocUnsafe(bytes);
  }

  /** Returns a completed batch's buffer and its reservation. Nothing may use `buffer` after. */
  free(buffer: Buffer, reservedBytes: number): void {
    if (
      buffer.length === this.#pooledBytes &&
      this.#free.length * this.#pooledBytes < this.capacityBytes
    )
      this.#free.push(buffer);
    this.release(reservedBytes);
  }

  get usedBytes(): number {
    return this.#usedBytes;
  }

  /** Someone is waiting for memory: batches should be sent now rather than linger. */
  get exhausted(): boolean {
    return this.#waiters.length > 0;
  }

  /** Reserves without waiting if possible; never jumps ahead of a waiter. */
  tryReserve(bytes: number): boolean {
    if (this.#waiters.length > 0 || this.#usedBytes + bytes > this.capacityBytes) return false;
    this.#usedBytes += bytes;
    return true;
  }

  /**
   * Waits until `bytes` can be reserved (the options guarantee no request exceeds the
   * capacity), or fails with DeadlineExceededError after `timeoutMs` (max.block.ms).
   */
  reserve(bytes: number, timeoutMs: number): Promise<void> {
    if (this.tryReserve(bytes)) return Promise.resolve();
    if (this.#waiters.length >= memoryWaitersMax) {
      return Promise.reject(
        new LimitExceededError(`${memoryWaitersMax} sends already wait for producer buffer memory`),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(
          new DeadlineExceededError(
            `no producer buffer memory freed within ${timeoutMs} ms: the cluster accepts records slower than they are sent`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        bytes,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  release(bytes: number): void {
    this.#usedBytes -= bytes;
    while (this.#waiters.length > 0) {
      const next = this.#waiters[0]!;
      if (this.#usedBytes + next.bytes > this.capacityBytes) break;
      this.#waiters.shift();
      this.#usedBytes += next.bytes;
      next.resolve();
    }
  }

  /** Fails every waiter (the producer is closing). */
  abort(error: Error): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}
