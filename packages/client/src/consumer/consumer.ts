import { ClosedError, InvalidArgumentError, RillError } from '../errors.js';
import { commitOffsets, type GroupContext } from '../admin/groups.js';
import { Cluster } from '../cluster/cluster.js';
import { CoordinatorLookup } from '../cluster/coordinator.js';
import { subscribedTopicsMax } from '../limits.js';
import { Fetcher, type FetchedBatch } from './fetcher.js';
import { GroupMembership } from './group/membership.js';
import {
  resolveConsumerOptions,
  type ConsumerOptions,
  type ResolvedConsumerOptions,
} from './options.js';
import { resolvePositions } from './positions.js';
import { decodePartitionRecords, type ConsumerRecord } from './record-batches.js';
import {
  SubscriptionState,
  type PartitionState,
  type PendingReset,
  type TopicPartition,
} from './subscription-state.js';

/** What the async iterator yields: records of one partition, in offset order. */
export interface ConsumerBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumerRecord[];
  /** The partition's high watermark when fetched: lag = highWatermark - (last offset + 1). */
  readonly highWatermark: number;
  /** The offset after this batch: what a commit of it records. */
  readonly nextOffset: number;
}

/** A member's place in its group, as Kafka's `consumer.groupMetadata()` reports it. */
export interface GroupMetadata {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
}

export type SeekTarget = number | 'earliest' | 'latest' | { readonly timestampMs: number };

/**
 * Reads records from assigned partitions (assign) or from a group's share of topics
 * (subscribe), as an async iterator of per-partition batches.
 *
 * ```ts
 * const consumer = new Consumer({ brokers: ['localhost:9092'], groupId: 'billing', autoOffsetReset: 'earliest' });
 * await consumer.subscribe({ topics: ['orders'] });
 * for await (const batch of consumer) {
 *   for (const record of batch.records) console.log(batch.partition, record.offset, record.value?.toString());
 * }
 * ```
 *
 * At-least-once by default: a batch counts as processed when the loop asks for the next
 * one, and only processed offsets are committed (every autoCommitIntervalMs, on rebalance
 * and on close). A crash mid-batch redelivers that batch.
 */
export class Consumer {
  readonly #options: ResolvedConsumerOptions;
  readonly #cluster: Cluster;
  readonly #group: GroupContext;
  readonly #subscriptions = new SubscriptionState();
  readonly #fetcher: Fetcher;
  #membership: GroupMembership | null = null;
  #resolving = false;
  #error: Error | null = null;
  #wakeReader: (() => void) | null = null;
  #autoCommit: NodeJS.Timeout | null = null;
  #interrupted = false;
  #closed = false;

  constructor(options: ConsumerOptions) {
    this.#options = resolveConsumerOptions(options);
    this.#cluster = new Cluster({
      ...options,
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
    });
    this.#group = { cluster: this.#cluster, coordinators: new CoordinatorLookup(this.#cluster) };
    this.#fetcher = new Fetcher({
      cluster: this.#cluster,
      subscriptions: this.#subscriptions,
      options: this.#options,
      onProgress: () => this.#progress(),
      onError: (error) => this.#fail(error),
    });
    if (this.#options.autoCommit) {
      this.#autoCommit = setInterval(
        () =>
          this.#commitProcessed().catch((e: unknown) =>
            this.#cluster.logger.warn('auto commit failed', { error: String(e) }),
          ),
        this.#options.autoCommitIntervalMs,
      );
      this.#autoCommit.unref();
    }
  }

  async connect(): Promise<void> {
    this.#check();
    await this.#cluster.refreshMetadata();
  }

  /**
   * Reads exactly these partitions, without group membership. Each starts at the group's
   * committed offset (with a groupId) or at autoOffsetReset, unless seek() says otherwise.
   */
  assign(partitions: readonly TopicPartition[]): void {
    this.#check();
    if (this.#membership !== null)
      throw new InvalidArgumentError(
        'this consumer is subscribed to a group; assign() and subscribe() do not mix',
      );
    this.#setAssignment(partitions, 'committed');
  }

  /**
   * Joins the consumer group (groupId) for these topics: the group's assignor shares their
   * partitions among its members, and rebalances as members come and go. Resolves once the
   * first assignment is in place.
   */
  async subscribe(args: { topics: readonly string[] }): Promise<void> {
    this.#check();
    const groupId = this.#requireGroup();
    if (this.#membership !== null)
      throw new InvalidArgumentError('this consumer is already subscribed');
    if (this.#subscriptions.size > 0)
      throw new InvalidArgumentError(
        'this consumer has partitions from assign(); assign() and subscribe() do not mix',
      );
    if (args.topics.length === 0 || args.topics.length > subscribedTopicsMax) {
      throw new InvalidArgumentError(
        `subscribe needs 1 to ${subscribedTopicsMax} topics, got ${args.topics.length}`,
      );
    }
    this.#cluster.track(args.topics);
    this.#cluster.keepFresh();
    const membership = new GroupMembership(
      {
        group: this.#group,
        options: this.#options,
        setAssignment: (partitions) => this.#setAssignment(partitions, 'committed'),
        commitProcessed: () => this.#commitProcessed(),
        fail: (error) => this.#fail(error),
      },
      groupId,
      args.topics,
    );
    this.#membership = membership;
    await membership.start();
  }

  assignment(): TopicPartition[] {
    return [...this.#subscriptions.all()].map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /** Moves a partition's position; data fetched for the old position is dropped. */
  seek(args: TopicPartition & { offset: SeekTarget }): void {
    this.#check();
    const state = this.#subscriptions.require(args.topic, args.partition);
    state.epoch++;
    if (typeof args.offset === 'number') {
      if (!Number.isSafeInteger(args.offset) || args.offset < 0)
        throw new InvalidArgumentError(`offset must be an integer >= 0, got ${args.offset}`);
      state.fetchOffset = args.offset;
      state.deliveredOffset = args.offset;
      state.processedOffset = args.offset;
      state.pending = null;
    } else {
      state.pending = args.offset;
    }
    this.#progress();
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.#subscriptions.require(tp.topic, tp.partition).paused = true;
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.#subscriptions.require(tp.topic, tp.partition).paused = false;
    this.#progress();
  }

  paused(): TopicPartition[] {
    return [...this.#subscriptions.all()]
      .filter((s) => s.paused)
      .map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /**
   * This member's generation in its group, or null before its first join, while it is
   * fenced, and without subscribe(). A new generation means a rebalance happened: a partition
   * it owned before may have restarted from its committed offset, so records read since the
   * last commit come again (at-least-once).
   */
  groupMetadata(): GroupMetadata | null {
    const committer = this.#membership?.committer() ?? null;
    if (committer === null) return null;
    return { groupId: this.#requireGroup(), ...committer };
  }

  /** The offset of the next record the iterator will hand out, or null before it is known. */
  position(tp: TopicPartition): number | null {
    return this.#subscriptions.require(tp.topic, tp.partition).deliveredOffset;
  }

  /** The last high watermark seen for a partition (-1 before the first fetch). */
  highWatermark(tp: TopicPartition): number {
    return this.#subscriptions.require(tp.topic, tp.partition).highWatermark;
  }

  /**
   * Commits offsets for the group: the given ones, or else every partition's processed
   * offset. An offset is the next one to read, i.e. last processed + 1.
   */
  async commit(offsets?: readonly (TopicPartition & { offset: number })[]): Promise<void> {
    this.#check();
    if (offsets === undefined) return this.#commitProcessed();
    const groupId = this.#requireGroup();
    const committer = this.#membership === null ? undefined : this.#membership.committer();
    if (committer === null) {
      throw new RillError(
        `consumer of group ${groupId} has no generation yet (joining or fenced): commit after the rebalance`,
        { retriable: true },
      );
    }
    await commitOffsets(this.#group, groupId, offsets, committer);
    for (const o of offsets) {
      const state = this.#subscriptions.get(o.topic, o.partition);
      if (state !== undefined) state.committedOffset = o.offset;
    }
  }

  /**
   * Ends a running `for await` loop at its next wait, without closing the consumer (for a
   * signal handler or a timer); a later loop starts afresh.
   */
  interrupt(): void {
    this.#interrupted = true;
    this.#wakeReader?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ConsumerBatch, void, undefined> {
    this.#interrupted = false;
    let previous: FetchedBatch | null = null;
    for (;;) {
      if (previous !== null) markProcessed(previous);
      previous = null;
      const next = await this.#next();
      if (next === null) return;
      previous = next.batch;
      const { state, highWatermark, nextOffset } = next.batch;
      yield {
        topic: state.topic,
        partition: state.partition,
        records: next.records,
        highWatermark,
        nextOffset,
      };
    }
  }

  /** Leaves the group (after a final commit with autoCommit) and closes connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.#options.autoCommit)
        await this.#commitProcessed().catch((e: unknown) =>
          this.#cluster.logger.warn('final commit failed', { error: String(e) }),
        );
      await this.#membership?.close();
    } finally {
      this.#closed = true;
      if (this.#autoCommit !== null) clearInterval(this.#autoCommit);
      this.#fetcher.stop();
      this.#wakeReader?.();
      await this.#cluster.close();
    }
  }

  async #next(): Promise<{ batch: FetchedBatch; records: ConsumerRecord[] } | null> {
    for (;;) {
      if (this.#closed || this.#interrupted) return null;
      if (this.#error !== null) {
        const error = this.#error;
        this.#error = null;
        throw error;
      }
      const batch = this.#fetcher.take();
      if (batch !== undefined) {
        const records = decodePartitionRecords(batch.data, batch.fetchOffset);
        batch.state.deliveredOffset = batch.nextOffset;
        if (records.length > 0) return { batch, records };
        markProcessed(batch);
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wakeReader = resolve;
      });
      this.#wakeReader = null;
    }
  }

  #setAssignment(partitions: readonly TopicPartition[], initial: PendingReset): void {
    this.#cluster.track(new Set(partitions.map((tp) => tp.topic)));
    this.#cluster.keepFresh();
    this.#subscriptions.assign(partitions, initial);
    this.#progress();
  }

  /** Something changed: resolve pending positions, fetch, and wake the reader. */
  #progress(): void {
    if (this.#closed) return;
    const pending = [...this.#subscriptions.all()].filter((s) => s.pending !== null);
    if (pending.length > 0 && !this.#resolving) {
      this.#resolving = true;
      const ctx = {
        group: this.#group,
        groupId: this.#options.groupId,
        autoOffsetReset: this.#options.autoOffsetReset,
        isolationLevel: this.#options.isolationLevel,
      };
      const metadata =
        this.#cluster.metadata.brokers.size === 0
          ? this.#cluster.refreshMetadata()
          : Promise.resolve();
      metadata
        .then(() => resolvePositions(ctx, pending))
        .catch((error: unknown) => this.#retryOrFail(error))
        .finally(() => {
          this.#resolving = false;
          this.#progress();
        });
    }
    this.#fetcher.kick();
    this.#wakeReader?.();
  }

  #retryOrFail(error: unknown): Promise<void> | void {
    if (error instanceof RillError && error.retriable) {
      return new Promise((resolve) =>
        setTimeout(resolve, this.#cluster.options.retry.initialBackoffMs),
      );
    }
    this.#fail(error as Error);
  }

  #fail(error: Error): void {
    this.#error = error;
    this.#wakeReader?.();
  }

  async #commitProcessed(): Promise<void> {
    // Without a generation there is nothing this member may commit; the next one will.
    if (this.#options.groupId === null || this.#membership?.committer() === null) return;
    const offsets = [...this.#subscriptions.all()]
      .filter(
        (s): s is PartitionState & { processedOffset: number } =>
          s.processedOffset !== null && s.processedOffset !== s.committedOffset,
      )
      .map((s) => ({ topic: s.topic, partition: s.partition, offset: s.processedOffset }));
    if (offsets.length === 0) return;
    await this.commit(offsets);
  }

  #requireGroup(): string {
    if (this.#options.groupId === null)
      throw new InvalidArgumentError('committing offsets needs a groupId');
    return this.#options.groupId;
  }

  #check(): void {
    if (this.#closed) throw new ClosedError('Consumer');
  }
}

function markProcessed(batch: FetchedBatch): void {
  if (batch.state.epoch !== batch.epoch) return;
  if (batch.state.processedOffset === null || batch.nextOffset > batch.state.processedOffset)
    batch.state.processedOffset = batch.nextOffset;
}
