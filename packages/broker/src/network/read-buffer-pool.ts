import { readBufferBytesMin, readBuffersIdleBytesMax } from '../limits.js';

/**
 * Buffers for the log reads of consumer fetches, used again once the socket has written
 * them. A fresh multi-megabyte buffer per read costs a page fault for every 4 KiB the kernel
 * copies into it and a garbage collection later: serving a backlog, that was half of the
 * broker's time (docs/performance.md). Buffers come in power-of-two classes; at most
 * `idleBytesMax` of them wait idle, the rest are left to the garbage collector.
 */
export class ReadBufferPool {
  readonly #idle = new Map<number, Buffer[]>();
  readonly #idleBytesMax: number;
  #idleBytes = 0;

  constructor(idleBytesMax = readBuffersIdleBytesMax) {
    this.#idleBytesMax = idleBytesMax;
  }

  get idleBytes(): number {
    return this.#idleBytes;
  }

  /** Buffers for one response: hand `allocate` to the reads, `release` once it is written. */
  lease(): ReadLease {
    return new ReadLease(this);
  }

  /** A whole class-sized buffer of at least `bytes`, idle or new. */
  take(bytes: number): Buffer {
    const size = classOf(bytes);
    const buffer = this.#idle.get(size)?.pop();
    if (buffer === undefined) return Buffer.allocUnsafeSlow(size);
    this.#idleBytes -= size;
    return buffer;
  }

  give(buffer: Buffer): void {
    if (this.#idleBytes + buffer.length > this.#idleBytesMax) return;
    const list = this.#idle.get(buffer.length) ?? [];
    list.push(buffer);
    this.#idle.set(buffer.length, list);
    this.#idleBytes += buffer.length;
  }
}

/**
 * The pooled buffers one response reads into. Released, they may be handed to another
 * response at once, so release only when nothing refers to them any more: the socket has
 * written them, or the read they held was thrown away.
 */
export class ReadLease {
  readonly #pool: ReadBufferPool;
  readonly #taken: Buffer[] = [];

  constructor(pool: ReadBufferPool) {
    this.#pool = pool;
  }

  readonly allocate = (bytes: number): Buffer => {
    if (bytes < readBufferBytesMin) return Buffer.allocUnsafe(bytes);
    const buffer = this.#pool.take(bytes);
    this.#taken.push(buffer);
    return buffer.subarray(0, bytes);
  };

  release(): void {
    for (const buffer of this.#taken) this.#pool.give(buffer);
    this.#taken.length = 0;
  }
}

function classOf(bytes: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(bytes, readBufferBytesMin)));
}
