import { scanBatches } from '@rill/protocol';
import { LeaderEpochCache, PartitionFollower, PartitionLeader, type FollowerFetch } from '@rill/replication';
import type { AppendInfo, Log } from '@rill/storage';
import { writeLeaderEpochCheckpoint } from './leader-epoch-checkpoint.js';
import type { ProducerStateManager } from './producer-state-manager.js';
import type { ProducerBatch, ProducerVerdict } from './producer-state.js';

/** What this replica is doing now, as the metadata says. */
export type PartitionRole =
  | { readonly kind: 'leader'; readonly state: PartitionLeader }
  | { readonly kind: 'follower'; readonly state: PartitionFollower }
  /** No leader is elected (leader -1): serve nothing, fetch from nobody. */
  | { readonly kind: 'offline'; readonly leaderEpoch: number };

export interface PartitionEvents {
  /** The log grew: followers long-polling this leader may have data now. */
  appended(partition: Partition): void;
  /** The high watermark moved: consumers and acks=all producers may proceed. */
  highWatermarkAdvanced(partition: Partition): void;
}

export interface LeaderSettings {
  readonly minInsyncReplicas: number;
  readonly replicaLagTimeMaxMs: number;
}

/**
 * One partition replica on this node: its log, its leader epoch cache, and its role. The
 * role's state is the pure core from @rill/replication; this class feeds it what the log
 * did and keeps the epoch cache in step with the log (written before the batches it names).
 */
export class Partition {
  readonly topic: string;
  /** Tells this topic apart from an earlier or later one of the same name. */
  readonly topicId: string;
  readonly index: number;
  readonly log: Log;
  readonly epochs: LeaderEpochCache;
  /** Idempotent producers seen in this log; every append and truncation updates it. */
  readonly producers: ProducerStateManager;
  readonly #events: PartitionEvents;
  readonly #flushOnAck: boolean;
  #role: PartitionRole;
  /** The high watermark while offline, and what a new role starts from. */
  #highWatermark: number;

  constructor(options: {
    topic: string;
    topicId: string;
    index: number;
    log: Log;
    epochs: LeaderEpochCache;
    producers: ProducerStateManager;
    highWatermark: number;
    events: PartitionEvents;
    /** log.flush.on.ack: the leader counts only fsynced data toward the high watermark. */
    flushOnAck: boolean;
  }) {
    this.topic = options.topic;
    this.topicId = options.topicId;
    this.index = options.index;
    this.log = options.log;
    this.epochs = options.epochs;
    this.producers = options.producers;
    this.#events = options.events;
    this.#flushOnAck = options.flushOnAck;
    this.#highWatermark = Math.min(options.highWatermark, options.log.logEndOffset);
    this.#role = { kind: 'offline', leaderEpoch: -1 };
  }

  get key(): string {
    return partitionKey(this.topic, this.index);
  }

  get role(): PartitionRole {
    return this.#role;
  }

  /** The state if this replica leads, else null. */
  get leader(): PartitionLeader | null {
    return this.#role.kind === 'leader' ? this.#role.state : null;
  }

  get follower(): PartitionFollower | null {
    return this.#role.kind === 'follower' ? this.#role.state : null;
  }

  get leaderEpoch(): number {
    return this.#role.kind === 'offline' ? this.#role.leaderEpoch : this.#role.state.leaderEpoch;
  }

  get highWatermark(): number {
    return this.#role.kind === 'offline' ? this.#highWatermark : this.#role.state.highWatermark;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  /**
   * This replica now leads at `leaderEpoch`: the epoch starts at the log end, and batches
   * appended from now on carry it.
   */
  becomeLeader(assignment: { leaderEpoch: number; partitionEpoch: number; replicas: readonly number[]; isr: readonly number[] }, options: LeaderSettings & { localId: number; nowMs: number }): void {
    const highWatermark = this.highWatermark;
    if (this.epochs.assign(assignment.leaderEpoch, this.log.logEndOffset)) this.#saveEpochs();
    this.#role = {
      kind: 'leader',
      state: new PartitionLeader({
        localId: options.localId,
        replicas: assignment.replicas,
        isr: assignment.isr,
        leaderEpoch: assignment.leaderEpoch,
        partitionEpoch: assignment.partitionEpoch,
        minInsyncReplicas: options.minInsyncReplicas,
        replicaLagTimeMaxMs: options.replicaLagTimeMaxMs,
        logEndOffset: this.log.logEndOffset,
        highWatermark,
        nowMs: options.nowMs,
      }),
    };
  }

  /** This replica follows `leaderId`; it first looks for where its log diverges. */
  becomeFollower(leaderId: number, leaderEpoch: number): void {
    this.#highWatermark = this.highWatermark;
    this.#role = {
      kind: 'follower',
      state: new PartitionFollower({ leaderId, leaderEpoch, logEndOffset: this.log.logEndOffset, highWatermark: this.#highWatermark }),
    };
  }

  becomeOffline(leaderEpoch: number): void {
    this.#highWatermark = this.highWatermark;
    this.#role = { kind: 'offline', leaderEpoch };
  }

  /**
   * Kafka's idempotent producer checks for a client batch, before appendAsLeader: append it,
   * answer it as a duplicate of a batch the log holds, or refuse it.
   */
  checkProducer(batch: ProducerBatch): ProducerVerdict {
    return this.producers.check(batch);
  }

  /** Appends validated batches as leader; throws StorageError when the disk refuses. */
  appendAsLeader(records: Buffer, leader: PartitionLeader): AppendInfo {
    const info = this.log.append(records, { leaderEpoch: leader.leaderEpoch });
    this.producers.appended(records);
    this.#events.appended(this);
    if (this.#flushOnAck) this.#countWhenDurable(leader);
    else if (leader.localAppended(this.log.logEndOffset)) this.#events.highWatermarkAdvanced(this);
    return info;
  }

  /**
   * log.flush.on.ack: our own copy counts toward the high watermark once fsynced (flushes
   * coalesce: appends made while one runs share the next). A failed fsync leaves the log
   * failed, so nothing above it is ever counted and later appends are refused.
   */
  #countWhenDurable(leader: PartitionLeader): void {
    this.log.flush().then(
      () => {
        if (this.leader === leader && leader.localAppended(this.log.recoveryPoint)) this.#events.highWatermarkAdvanced(this);
      },
      () => undefined,
    );
  }

  /** log.flush.on.ack: a follower reports only what it has fsynced as its log end. */
  makeDurable(): Promise<void> {
    return this.#flushOnAck ? this.log.flush() : Promise.resolve();
  }

  /**
   * Appends batches fetched from the leader, verbatim. Returns the bytes written, or null
   * when they are damaged or do not start at our log end (the log changed under the fetch):
   * the caller fetches again.
   */
  appendAsFollower(records: Buffer, follower: PartitionFollower, leaderHighWatermark: number): number | null {
    if (records.length > 0) {
      if (!this.#assignEpochsOf(records)) return null;
      if (this.log.appendAsFollower(records) === null) return null;
      this.producers.appended(records);
    }
    if (follower.fetched(this.log.logEndOffset, leaderHighWatermark)) this.#events.highWatermarkAdvanced(this);
    return records.length;
  }

  /** Cuts the log back to `offset` (the divergence point) and forgets the epochs above it. */
  truncateTo(offset: number): void {
    const before = this.log.logEndOffset;
    const end = this.log.truncateTo(offset);
    if (end !== before) this.producers.truncated();
    if (this.epochs.truncateFromEnd(end)) this.#saveEpochs();
    this.#highWatermark = Math.min(this.#highWatermark, end);
  }

  /** The leader no longer has anything we hold: start over empty at its log start. */
  restartAt(offset: number): void {
    this.log.truncateFullyAndStartAt(offset);
    this.producers.restarted();
    if (this.epochs.truncateFromEnd(0)) this.#saveEpochs();
    this.#highWatermark = offset;
  }

  /** After retention moved the log start. */
  logStartMoved(): void {
    if (this.epochs.truncateFromStart(this.log.logStartOffset)) this.#saveEpochs();
  }

  /** A follower fetched at `fetchOffset`; may advance the high watermark. */
  followerFetched(leader: PartitionLeader, replicaId: number, fetchOffset: number, nowMs: number, fetch: FollowerFetch): void {
    if (leader.followerFetched(replicaId, fetchOffset, nowMs, fetch)) this.#events.highWatermarkAdvanced(this);
  }

  /** Tell waiters the high watermark moved after a change decided elsewhere (an ISR change). */
  highWatermarkMaybeMoved(advanced: boolean): void {
    if (advanced) this.#events.highWatermarkAdvanced(this);
  }

  /**
   * Checks every fetched batch (a bad one refuses the whole response) and records the epoch
   * of each batch that starts one, before the batches reach the log.
   */
  #assignEpochsOf(records: Buffer): boolean {
    const batches = scanBatches(records);
    const epochs: { epoch: number; startOffset: number }[] = [];
    let step = batches.next();
    while (step.done !== true) {
      epochs.push({ epoch: step.value.header.partitionLeaderEpoch, startOffset: step.value.header.baseOffset });
      step = batches.next();
    }
    if (step.value.stop !== 'end' || epochs[0]?.startOffset !== this.log.logEndOffset) return false;
    let changed = false;
    for (const { epoch, startOffset } of epochs) {
      if (this.epochs.assign(epoch, startOffset)) changed = true;
    }
    if (changed) this.#saveEpochs();
    return true;
  }

  #saveEpochs(): void {
    writeLeaderEpochCheckpoint(this.log.dir, this.epochs.entries);
  }
}

export function partitionKey(topic: string, index: number): string {
  return `${topic}-${index}`;
}
