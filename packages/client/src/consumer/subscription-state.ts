import { InvalidArgumentError } from '../errors.js';
import { assignedPartitionsMax } from '../limits.js';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Where to start a partition whose position is not known yet. */
export type PendingReset = 'committed' | 'earliest' | 'latest' | { readonly timestampMs: number };

/** Per assigned partition: where fetching and delivery stand. */
export class PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  /** Next offset to fetch; null until resolved from a commit or a reset. */
  fetchOffset: number | null = null;
  /** Offset after the last record handed to the application. */
  deliveredOffset: number | null = null;
  /** Offset after the last record the application finished (what a commit records). */
  processedOffset: number | null = null;
  /** The last offset committed for the group, to skip empty commits. */
  committedOffset: number | null = null;
  highWatermark = -1;
  paused = false;
  pending: PendingReset | null = 'committed';
  /** Bumped by seek(), so data fetched for an older position is dropped. */
  epoch = 0;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
    this.key = partitionKey(topic, partition);
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The partitions this consumer owns now, by key. */
export class SubscriptionState {
  readonly #partitions = new Map<string, PartitionState>();

  get size(): number {
    return this.#partitions.size;
  }

  all(): IterableIterator<PartitionState> {
    return this.#partitions.values();
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.#partitions.get(partitionKey(topic, partition));
  }

  require(topic: string, partition: number): PartitionState {
    const state = this.get(topic, partition);
    if (state === undefined)
      throw new InvalidArgumentError(`${topic}[${partition}] is not assigned to this consumer`);
    return state;
  }

  /** Replaces the assignment; partitions kept keep their positions. Returns those removed. */
  assign(partitions: readonly TopicPartition[], initial: PendingReset): PartitionState[] {
    if (partitions.length > assignedPartitionsMax) {
      throw new InvalidArgumentError(
        `${partitions.length} partitions exceed the limit of ${assignedPartitionsMax}`,
      );
    }
    const wanted = new Set(partitions.map((tp) => partitionKey(tp.topic, tp.partition)));
    const removed = [...this.#partitions.values()].filter((state) => !wanted.has(state.key));
    for (const state of removed) this.#partitions.delete(state.key);
    for (const tp of partitions) {
      const key = partitionKey(tp.topic, tp.partition);
      if (this.#partitions.has(key)) continue;
      const state = new PartitionState(tp.topic, tp.partition);
      state.pending = initial;
      this.#partitions.set(key, state);
    }
    return removed;
  }
}
