import type { Logger } from 'pino';

/** A block of producer ids from the active controller: [start, start + length). */
export interface ProducerIdBlock {
  readonly start: number;
  readonly length: number;
}

export interface ProducerIdManagerOptions {
  /** Asks the active controller for this broker's next block; null when none came. */
  readonly allocate: () => Promise<ProducerIdBlock | null>;
  /** How long to wait before asking again after a failed allocation. */
  readonly retryBackoffMs: number;
  readonly logger: Logger;
}

/** Once this share of the current block is handed out, the next block is fetched (as Kafka). */
const prefetchRatio = 0.9;

/**
 * Hands out producer ids for InitProducerId from blocks the active controller allocates
 * (Kafka's RPCProducerIdManager). Each block is committed in the metadata log before it
 * arrives, so no id is handed out twice in the cluster, nor after a restart (which simply
 * starts a new block). The next block is fetched when 90% of the current one is used, so
 * a busy broker rarely waits; callers that find no id wait for the fetch in flight.
 */
export class ProducerIdManager {
  readonly #options: ProducerIdManagerOptions;
  #current: { next: number; end: number; prefetchAt: number } | null = null;
  #following: ProducerIdBlock | null = null;
  #fetching: Promise<void> | null = null;

  constructor(options: ProducerIdManagerOptions) {
    this.#options = options;
  }

  /** The next producer id, or null when no block arrived within `waitMs` (the client retries). */
  async next(waitMs: number): Promise<number | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const id = this.#claim();
      if (id !== null) return id;
      const fetching = this.#fetch();
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) return null;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, remainingMs)));
      await Promise.race([fetching, expired]);
      clearTimeout(timer);
    }
  }

  #claim(): number | null {
    if ((this.#current === null || this.#current.next >= this.#current.end) && this.#following !== null) {
      this.#use(this.#following);
      this.#following = null;
    }
    const current = this.#current;
    if (current === null || current.next >= current.end) return null;
    const id = current.next++;
    if (id >= current.prefetchAt && this.#following === null) void this.#fetch();
    return id;
  }

  #use(block: ProducerIdBlock): void {
    const end = block.start + block.length;
    this.#current = { next: block.start, end, prefetchAt: block.start + Math.floor(block.length * prefetchRatio) };
  }

  /** One allocation at a time; every caller waiting for ids shares it. */
  #fetch(): Promise<void> {
    this.#fetching ??= this.#allocateOnce().finally(() => {
      this.#fetching = null;
    });
    return this.#fetching;
  }

  async #allocateOnce(): Promise<void> {
    let block: ProducerIdBlock | null = null;
    try {
      block = await this.#options.allocate();
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'producer id block allocation failed');
    }
    if (block === null || block.length <= 0) {
      await new Promise((resolve) => setTimeout(resolve, this.#options.retryBackoffMs));
      return;
    }
    const current = this.#current;
    if (current === null || current.next >= current.end) this.#use(block);
    else this.#following = block;
  }
}
