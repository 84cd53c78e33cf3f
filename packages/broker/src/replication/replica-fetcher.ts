import { ErrorCode } from '@rill/protocol';
import { firstEpochToAsk, replicationLimits, truncationStep, type PartitionFollower } from '@rill/replication';
import type { Logger } from 'pino';
import type { NodeMetrics } from '../observability/metrics.js';
import type { Partition } from '../partitions/partition.js';
import type { EpochAnswer, FetchedPartition, PartitionRef, ReplicationApi } from './replication-rpc.js';

export interface FetchSettings {
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly partitionMaxBytes: number;
  readonly responseMaxBytes: number;
  readonly backoffMs: number;
}

export interface ReplicaFetcherOptions {
  readonly selfId: number;
  /** This broker's registration, so the leader can ignore fetches from an earlier life. */
  readonly incarnationId: string;
  readonly clusterId: string;
  readonly leaderId: number;
  readonly client: ReplicationApi;
  readonly settings: FetchSettings;
  readonly metrics: NodeMetrics;
  readonly logger: Logger;
}

/** How long a fetch may take beyond its long-poll wait before we call the leader gone. */
const fetchGraceMs = 10_000;

/**
 * A follower's one fetch loop towards one leader broker (DESIGN §3), carrying every
 * partition this broker follows there. A partition whose leader is new to it first finds
 * where its log diverges (OffsetForLeaderEpoch, truncating as the answers say); then each
 * fetch reports its log end offset, and what comes back is appended verbatim.
 */
export class ReplicaFetcher {
  readonly #options: ReplicaFetcherOptions;
  readonly #members = new Set<Partition>();
  /** Partitions the leader refused: left alone until the metadata changes or the backoff ends. */
  readonly #restingUntil = new WeakMap<PartitionFollower, number>();
  #running = false;
  #loop: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;

  constructor(options: ReplicaFetcherOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#members.size;
  }

  has(partition: Partition): boolean {
    return this.#members.has(partition);
  }

  members(): Partition[] {
    return [...this.#members];
  }

  add(partition: Partition): void {
    this.#members.add(partition);
    this.#wake?.();
  }

  remove(partition: Partition): void {
    this.#members.delete(partition);
    this.#options.metrics.replicaFetchLag.remove({ topic: partition.topic, partition: String(partition.index) });
  }

  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    this.#options.client.close();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      try {
        await this.#round();
        failures = 0;
      } catch (error) {
        if (!this.#running) return;
        failures++;
        const log = failures === 1 ? 'warn' : 'debug';
        this.#options.logger[log]({ err: error, leader: this.#options.leaderId }, 'replica fetch failed; retrying');
        await this.#sleep(this.#options.settings.backoffMs);
      }
    }
  }

  async #round(): Promise<void> {
    const nowMs = Date.now();
    const active = [...this.#members].filter((p) => {
      const follower = this.#followerOf(p);
      return follower !== null && (this.#restingUntil.get(follower) ?? 0) <= nowMs;
    });
    const truncating = active.filter((p) => this.#followerOf(p)?.state === 'truncating');
    if (truncating.length > 0) await this.#findDivergence(truncating);
    const fetching = active.filter((p) => this.#followerOf(p)?.state === 'fetching');
    if (fetching.length === 0) {
      await this.#sleep(truncating.length > 0 ? this.#options.settings.backoffMs : 1000);
      return;
    }
    await this.#fetch(fetching);
  }

  /** KIP-279: ask, truncate, and ask again about an older epoch until the logs agree. */
  async #findDivergence(partitions: readonly Partition[]): Promise<void> {
    let asking = new Map<Partition, { follower: PartitionFollower; epoch: number }>();
    for (const partition of partitions) {
      const follower = this.#followerOf(partition)!;
      const epoch = firstEpochToAsk(partition.epochs);
      if (epoch === null) {
        this.#finishTruncation(partition, follower, follower.highWatermark);
      } else {
        asking.set(partition, { follower, epoch });
      }
    }
    for (let round = 0; asking.size > 0 && this.#running; round++) {
      if (round >= replicationLimits.truncationRoundsMax) {
        // Never reached with sane answers (each round asks about an older epoch); give up
        // where everything is known to be committed.
        for (const [partition, { follower }] of asking) this.#finishTruncation(partition, follower, follower.highWatermark);
        return;
      }
      const queries = [...asking].map(([partition, { follower, epoch }]) => ({
        ref: refOf(partition),
        currentLeaderEpoch: follower.leaderEpoch,
        leaderEpoch: epoch,
      }));
      const { partitions: answers } = await this.#options.client.offsetForLeaderEpoch(
        { clusterId: this.#options.clusterId, replicaId: this.#options.selfId, partitions: queries },
        fetchGraceMs,
      );
      asking = this.#applyEpochAnswers(asking, answers);
    }
  }

  #applyEpochAnswers(
    asked: ReadonlyMap<Partition, { follower: PartitionFollower; epoch: number }>,
    answers: readonly EpochAnswer[],
  ): Map<Partition, { follower: PartitionFollower; epoch: number }> {
    const next = new Map<Partition, { follower: PartitionFollower; epoch: number }>();
    const byKey = new Map([...asked].map(([partition, query]) => [keyOf(refOf(partition)), { partition, ...query }]));
    for (const answer of answers) {
      const query = byKey.get(keyOf(answer.ref));
      if (query === undefined || this.#followerOf(query.partition) !== query.follower) continue;
      const { partition, follower } = query;
      if (answer.errorCode !== ErrorCode.NONE) {
        this.#rest(partition, follower, answer.errorCode);
        continue;
      }
      const step = truncationStep({
        cache: partition.epochs,
        logEndOffset: partition.logEndOffset,
        highWatermark: follower.highWatermark,
        leaderAnswer: { epoch: answer.leaderEpoch, endOffset: answer.endOffset },
        askedEpoch: query.epoch,
      });
      if (step.kind === 'done') {
        this.#finishTruncation(partition, follower, step.truncateTo);
      } else {
        this.#truncate(partition, step.truncateTo);
        next.set(partition, { follower, epoch: step.epoch });
      }
    }
    return next;
  }

  #finishTruncation(partition: Partition, follower: PartitionFollower, offset: number): void {
    this.#truncate(partition, offset);
    follower.truncated(partition.logEndOffset);
  }

  /** Cuts the log (a no-op at or past its end) and always trims the epoch cache to it. */
  #truncate(partition: Partition, offset: number): void {
    if (offset < partition.logEndOffset) {
      this.#options.logger.info(
        { partition: partition.key, from: partition.logEndOffset, to: offset, leader: this.#options.leaderId },
        'truncating a divergent log tail',
      );
    }
    partition.truncateTo(offset);
  }

  async #fetch(partitions: readonly Partition[]): Promise<void> {
    const { settings } = this.#options;
    const sent = new Map<string, { partition: Partition; follower: PartitionFollower }>();
    const wanted = partitions.map((partition) => {
      const follower = this.#followerOf(partition)!;
      sent.set(partition.key, { partition, follower });
      return { ref: refOf(partition), currentLeaderEpoch: follower.leaderEpoch, fetchOffset: partition.logEndOffset };
    });
    const response = await this.#options.client.fetch(
      {
        clusterId: this.#options.clusterId,
        replicaId: this.#options.selfId,
        incarnationId: this.#options.incarnationId,
        maxWaitMs: settings.maxWaitMs,
        minBytes: settings.minBytes,
        maxBytes: settings.responseMaxBytes,
        partitionMaxBytes: settings.partitionMaxBytes,
        partitions: wanted,
      },
      settings.maxWaitMs + fetchGraceMs,
    );
    const durable: Promise<void>[] = [];
    for (const fetched of response.partitions) {
      const entry = sent.get(keyOf(fetched.ref));
      // The metadata may have moved the partition while the fetch was out: drop the answer.
      if (entry === undefined || this.#followerOf(entry.partition) !== entry.follower) continue;
      if (this.#applyFetched(entry.partition, entry.follower, fetched)) durable.push(entry.partition.makeDurable());
    }
    // The next fetch reports our log ends to the leader; with log.flush.on.ack they must be on disk.
    await Promise.all(durable);
  }

  /** Applies one partition's answer; true when batches were appended. */
  #applyFetched(partition: Partition, follower: PartitionFollower, fetched: FetchedPartition): boolean {
    const { metrics } = this.#options;
    if (fetched.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      this.#outOfRange(partition, follower, fetched);
      return false;
    }
    if (fetched.errorCode !== ErrorCode.NONE) {
      this.#rest(partition, follower, fetched.errorCode);
      return false;
    }
    const written = partition.appendAsFollower(fetched.records, follower, fetched.highWatermark);
    if (written === null) {
      this.#options.logger.warn({ partition: partition.key, leader: this.#options.leaderId }, 'fetched batches did not fit the log end; fetching again');
      return false;
    }
    if (written > 0) metrics.replicationBytesIn.inc({ topic: partition.topic }, written);
    metrics.replicaFetchLag.set({ topic: partition.topic, partition: String(partition.index) }, Math.max(0, fetched.logEndOffset - partition.logEndOffset));
    return written > 0;
  }

  /**
   * Below the leader's log start, start over there (retention removed what we lack); past
   * its log end, our tail diverges: search for the divergence point again.
   */
  #outOfRange(partition: Partition, follower: PartitionFollower, fetched: FetchedPartition): void {
    if (partition.logEndOffset < fetched.logStartOffset) {
      this.#options.logger.warn({ partition: partition.key, at: fetched.logStartOffset }, 'leader no longer has our log end; restarting the replica at its log start');
      partition.restartAt(fetched.logStartOffset);
      follower.truncated(partition.logEndOffset);
      return;
    }
    follower.truncationNeeded();
  }

  /** The leader refused this partition: wait for newer metadata (or a backoff) before asking again. */
  #rest(partition: Partition, follower: PartitionFollower, errorCode: number): void {
    this.#options.logger.debug({ partition: partition.key, errorCode, leader: this.#options.leaderId }, 'leader refused a replica fetch');
    this.#restingUntil.set(follower, Date.now() + this.#options.settings.backoffMs);
  }

  /** The partition's follower state, if it still follows this fetcher's leader. */
  #followerOf(partition: Partition): PartitionFollower | null {
    const follower = partition.follower;
    return follower !== null && follower.leaderId === this.#options.leaderId ? follower : null;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }
}

function refOf(partition: Partition): PartitionRef {
  return { topic: partition.topic, topicId: partition.topicId, partition: partition.index };
}

function keyOf(ref: PartitionRef): string {
  return `${ref.topic}-${ref.partition}`;
}
