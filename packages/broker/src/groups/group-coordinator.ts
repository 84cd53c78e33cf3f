/**
 * The group coordinator's driver: it feeds GroupCoordinatorCore requests, timer ticks and
 * append outcomes, and does the I/O the core asks for. Groups persist in
 * `__consumer_offsets` (created on the first FindCoordinator, as Kafka does); a write is
 * answered once the partition's high watermark passes it (acks=all, through the produce
 * purgatory). When this broker becomes leader of an offsets partition it replays it from
 * the log start to the log end and waits for the high watermark to cover that, answering
 * COORDINATOR_LOAD_IN_PROGRESS meanwhile; when it stops leading, the groups go.
 */
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { systemClock, type Clock, type Random } from '@rill/base';
import { DecodeError, decodeRecordBatches, encodeRecordBatch, ErrorCode } from '@rill/protocol';
import { StorageError } from '@rill/storage';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import { ConfigError } from '../config/config-error.js';
import {
  groupBytesPerCoordinatorMax,
  groupMembersPerCoordinatorMax,
  groupsPerCoordinatorMax,
  memberProtocolBytesMax,
  parkedGroupRequestsMax,
  protocolsPerMemberMax,
} from '../limits.js';
import type { TopicView } from '../metadata/cluster-view.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { NodeMetrics } from '../observability/metrics.js';
import { maxMessageBytesFor } from '../partitions/log-config.js';
import type { Partition } from '../partitions/partition.js';
import type { PartitionManager } from '../partitions/partition-manager.js';
import { GroupCoordinatorCore } from './coordinator-core.js';
import type {
  AppendRequest,
  CommitRequest,
  FetchedOffsets,
  GroupDescription,
  GroupListing,
  GroupResult,
  HeartbeatRequest,
  JoinRequest,
  JoinResult,
  LeaveRequest,
  Now,
  Reply,
  SyncRequest,
  SyncResult,
} from './core-types.js';
import { decodeGroupRecord } from './group-records.js';
import { partitionForGroup } from './java-hash.js';

export const offsetsTopicName = '__consumer_offsets';

/** Kafka drops a new member whose JoinGroup has waited this long (GroupCoordinator.NewMemberJoinTimeoutMs). */
const newMemberJoinTimeoutMs = 5 * 60 * 1000;
/** Room left in a batch for its header and record framing. */
const batchOverheadBytes = 1024;
const loadRetryMs = 100;

export interface GroupCoordinatorOptions {
  readonly nodeId: number;
  readonly config: BrokerConfig;
  readonly metadata: MetadataStore;
  readonly partitions: PartitionManager;
  readonly metrics: NodeMetrics;
  readonly logger: Logger;
  /** False while this broker's controller session may have lapsed: it must not acknowledge. */
  readonly mayAcknowledge: () => boolean;
  readonly random: Random;
  readonly clock?: Clock;
}

export interface CoordinatorAddress {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/** Request inputs as handlers give them: the driver adds the request id and partition. */
type Input<T> = Omit<T, 'requestId' | 'partition'>;

interface LoadedPartition {
  readonly partition: Partition;
  readonly epoch: number;
}

export class GroupCoordinator {
  readonly #options: GroupCoordinatorOptions;
  readonly #core: GroupCoordinatorCore;
  readonly #clock: Clock;
  readonly #waiting = new Map<number, (reply: Reply) => void>();
  /** Offsets partitions this node leads, loaded or loading, by index. */
  readonly #led = new Map<number, LoadedPartition>();
  #nextRequestId = 1;
  #timer: NodeJS.Timeout | null = null;
  #armedAtMs = Number.POSITIVE_INFINITY;
  #retentionTimer: NodeJS.Timeout | null = null;
  #creating: Promise<unknown> | null = null;
  #reportedRebalances = 0;
  #closed = false;

  constructor(options: GroupCoordinatorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    const { config, logger } = options;
    const minSessionTimeoutMs = config.int('group.min.session.timeout.ms');
    const maxSessionTimeoutMs = config.int('group.max.session.timeout.ms');
    if (minSessionTimeoutMs > maxSessionTimeoutMs) {
      throw new ConfigError(`group.min.session.timeout.ms=${minSessionTimeoutMs} is above group.max.session.timeout.ms=${maxSessionTimeoutMs}`);
    }
    this.#core = new GroupCoordinatorCore({
      random: options.random,
      initialRebalanceDelayMs: config.int('group.initial.rebalance.delay.ms'),
      minSessionTimeoutMs,
      maxSessionTimeoutMs,
      groupMaxSize: config.int('group.max.size'),
      newMemberJoinTimeoutMs,
      offsetRetentionMs: config.int('offsets.retention.minutes') * 60_000,
      offsetMetadataMaxBytes: config.int('offset.metadata.max.bytes'),
      recordBytesMax: Math.max(0, config.int('message.max.bytes') - batchOverheadBytes),
      groupsMax: groupsPerCoordinatorMax,
      membersMax: groupMembersPerCoordinatorMax,
      protocolsPerMemberMax,
      memberProtocolBytesMax,
      heldBytesMax: groupBytesPerCoordinatorMax,
      trace: (line) => logger.debug(line),
    });
  }

  /** Starts the offset-retention check and the metrics; call after the first rolesChanged. */
  start(): void {
    const intervalMs = this.#options.config.int('offsets.retention.check.interval.ms');
    this.#retentionTimer = setInterval(() => {
      this.#core.expireOffsets(this.#now());
      this.#drain();
    }, intervalMs);
    this.#retentionTimer.unref();
    this.#options.metrics.beforeScrape(() => this.#reportMetrics());
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#retentionTimer !== null) clearInterval(this.#retentionTimer);
    for (const index of [...this.#led.keys()]) this.#unload(index);
    this.#drain();
  }

  // ---- Which offsets partitions this node leads ---------------------------------------------

  /**
   * Call after every metadata change, once the replicas have their roles: loads the offsets
   * partitions this node now leads (or leads at a new epoch) and drops the others.
   */
  rolesChanged(): void {
    if (this.#closed) return;
    const topic = this.#options.metadata.current().topics.get(offsetsTopicName);
    const leading = new Map<number, Partition>();
    for (const assignment of topic?.partitions ?? []) {
      const local = this.#options.partitions.get(offsetsTopicName, assignment.partition);
      if (local !== undefined && local.topicId === topic!.topicId && local.leader !== null) leading.set(assignment.partition, local);
    }
    for (const [index, loaded] of [...this.#led]) {
      const now = leading.get(index);
      if (now !== loaded.partition || now.leaderEpoch !== loaded.epoch) this.#unload(index);
    }
    for (const [index, partition] of leading) {
      if (!this.#led.has(index)) this.#load(index, partition);
    }
    this.#drain();
  }

  #unload(index: number): void {
    this.#led.delete(index);
    this.#core.unload(index);
    this.#options.logger.info({ partition: index }, 'no longer coordinating the groups of this offsets partition');
  }

  #load(index: number, partition: Partition): void {
    const epoch = partition.leaderEpoch;
    const loaded = { partition, epoch };
    this.#led.set(index, loaded);
    this.#core.beginLoad(index, epoch);
    const startedMs = this.#clock.nowMs();
    this.#replay(index, loaded).then(
      (records) => {
        if (records === null || this.#led.get(index) !== loaded) return;
        this.#core.completeLoad(index, epoch, this.#now());
        this.#drain();
        const ms = Math.round(this.#clock.nowMs() - startedMs);
        this.#options.logger.info({ partition: index, epoch, records, ms }, 'coordinating the groups of this offsets partition');
      },
      (error: unknown) => this.#options.logger.error({ err: error, partition: index }, 'could not load an offsets partition; its groups stay unavailable'),
    );
  }

  /**
   * Replays the partition from its log start to the log end it had when we became leader,
   * then waits for the high watermark to cover that. Returns the records replayed, or null
   * when leadership moved meanwhile.
   */
  async #replay(index: number, loaded: LoadedPartition): Promise<number | null> {
    const { partition, epoch } = loaded;
    const current = (): boolean => !this.#closed && this.#led.get(index) === loaded;
    const end = partition.logEndOffset;
    const chunkBytes = this.#options.config.int('offsets.load.buffer.size');
    let offset = partition.logStartOffset;
    let count = 0;
    while (offset < end) {
      if (!current()) return null;
      const read = partition.log.read(offset, { maxBytes: chunkBytes, upTo: end });
      if (read.kind === 'outOfRange') {
        offset = Math.max(offset, read.logStartOffset);
        if (offset >= read.logEndOffset) break;
        continue;
      }
      if (read.records.length === 0) break;
      for (const record of decodeRecordBatches(read.records)) {
        if (record.offset < offset || record.offset >= end || record.key === null) continue;
        if (this.#replayOne(index, epoch, record.key, record.value)) count++;
      }
      offset = read.nextOffset;
      await yieldToIo();
    }
    return (await this.#awaitHighWatermark(partition, end, current)) ? count : null;
  }

  #replayOne(index: number, epoch: number, key: Buffer, value: Buffer | null): boolean {
    try {
      const record = decodeGroupRecord(key, value);
      if (record === null) return false;
      this.#core.replay(index, epoch, record);
      return true;
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.#options.logger.warn({ err: error, partition: index }, 'skipping an offsets record we cannot read');
      return false;
    }
  }

  /** A new leader's high watermark may lag its log: serve only what is committed. */
  async #awaitHighWatermark(partition: Partition, end: number, current: () => boolean): Promise<boolean> {
    const timeoutMs = this.#options.config.int('offsets.commit.timeout.ms');
    while (current()) {
      if (partition.highWatermark >= end) return true;
      const errorCode = await this.#options.partitions.produces.park(partition, end, timeoutMs);
      if (errorCode === ErrorCode.NONE || errorCode === ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND) return current();
      await new Promise((resolve) => setTimeout(resolve, loadRetryMs));
    }
    return false;
  }

  // ---- FindCoordinator ----------------------------------------------------------------------

  partitionFor(groupId: string): number {
    const topic = this.#options.metadata.current().topics.get(offsetsTopicName);
    return partitionForGroup(groupId, topic?.partitions.length ?? this.#options.config.int('offsets.topic.num.partitions'));
  }

  /** The leader of the group's offsets partition, creating __consumer_offsets if needed. */
  async findCoordinator(groupId: string, listenerName: string): Promise<CoordinatorAddress> {
    const topic = await this.#offsetsTopic();
    if (topic === null) return coordinatorNotAvailable('the offsets topic is being created');
    const index = partitionForGroup(groupId, topic.partitions.length);
    const leaderId = topic.partitions[index]?.leader ?? -1;
    const broker = this.#options.metadata.current().brokers.find((b) => b.nodeId === leaderId);
    const endpoint = broker?.endpoints.find((e) => e.name === listenerName) ?? broker?.endpoints[0];
    if (broker === undefined || endpoint === undefined) return coordinatorNotAvailable('the offsets partition of this group has no leader');
    return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: broker.nodeId, host: endpoint.host, port: endpoint.port };
  }

  async #offsetsTopic(): Promise<TopicView | null> {
    const { metadata, config, logger } = this.#options;
    const existing = metadata.current().topics.get(offsetsTopicName);
    if (existing !== undefined) return existing;
    if (this.#creating === null) {
      const liveBrokers = Math.max(1, metadata.current().brokers.length);
      const replicationFactor = Math.min(config.int('offsets.topic.replication.factor'), liveBrokers);
      const creation = metadata
        .createTopics(
          [
            {
              name: offsetsTopicName,
              numPartitions: config.int('offsets.topic.num.partitions'),
              replicationFactor,
              assignments: null,
              // No compaction yet: the topic keeps everything, or offsets would age out.
              configs: { 'segment.bytes': String(config.int('offsets.topic.segment.bytes')), 'retention.ms': '-1' },
            },
          ],
          { validateOnly: false },
        )
        .then((outcomes) => {
          for (const outcome of outcomes) {
            if (outcome.errorCode === ErrorCode.NONE) logger.info({ replicationFactor }, `created ${offsetsTopicName}`);
            else if (outcome.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) logger.warn({ outcome }, `could not create ${offsetsTopicName}`);
          }
        })
        .finally(() => {
          this.#creating = null;
        });
      this.#creating = creation;
    }
    await this.#creating;
    return metadata.current().topics.get(offsetsTopicName) ?? null;
  }

  // ---- Group requests -----------------------------------------------------------------------

  async join(input: Input<JoinRequest>): Promise<JoinResult> {
    const reply = await this.#ask((requestId, at) => this.#core.join({ ...input, requestId, partition: this.partitionFor(input.groupId) }, at));
    if (reply?.kind === 'join') return reply.result;
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, generationId: -1, protocolName: '', leaderId: '', memberId: input.memberId, members: [] };
  }

  async sync(input: Input<SyncRequest>): Promise<SyncResult> {
    const reply = await this.#ask((requestId, at) => this.#core.sync({ ...input, requestId, partition: this.partitionFor(input.groupId) }, at));
    if (reply?.kind === 'sync') return reply.result;
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: Buffer.alloc(0) };
  }

  async heartbeat(input: Input<HeartbeatRequest>): Promise<number> {
    const reply = await this.#ask((requestId, at) => this.#core.heartbeat({ ...input, requestId, partition: this.partitionFor(input.groupId) }, at));
    return reply?.kind === 'heartbeat' ? reply.errorCode : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  async leave(input: Input<LeaveRequest>): Promise<number> {
    const reply = await this.#ask((requestId, at) => this.#core.leave({ ...input, requestId, partition: this.partitionFor(input.groupId) }, at));
    return reply?.kind === 'leave' ? reply.errorCode : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  /** One error code per offset, in order. */
  async commitOffsets(input: Input<CommitRequest>): Promise<readonly number[]> {
    const reply = await this.#ask((requestId, at) => this.#core.commitOffsets({ ...input, requestId, partition: this.partitionFor(input.groupId) }, at));
    return reply?.kind === 'commit' ? reply.errorCodes : input.offsets.map(() => ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }

  fetchOffsets(groupId: string, topics: readonly { topic: string; partitions: readonly number[] }[] | null): FetchedOffsets {
    return this.#core.fetchOffsets(this.partitionFor(groupId), groupId, topics);
  }

  describeGroup(groupId: string): GroupDescription {
    return this.#core.describeGroup(this.partitionFor(groupId), groupId);
  }

  listGroups(): GroupListing {
    return this.#core.listGroups();
  }

  /** Groups are grouped by offsets partition; each partition's tombstones are one write. */
  async deleteGroups(groupIds: readonly string[]): Promise<GroupResult[]> {
    const byPartition = new Map<number, string[]>();
    for (const groupId of groupIds) {
      const partition = this.partitionFor(groupId);
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), groupId]);
    }
    const results = await Promise.all(
      [...byPartition].map(async ([partition, ids]) => {
        const reply = await this.#ask((requestId, at) => this.#core.deleteGroups({ requestId, partition, groupIds: ids }, at));
        return reply?.kind === 'delete' ? reply.results : ids.map((groupId) => ({ groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }));
      }),
    );
    const byId = new Map(results.flat().map((r) => [r.groupId, r]));
    return groupIds.map((groupId) => byId.get(groupId)!);
  }

  /** Runs one core step for a new request; resolves with its reply, null when too many wait. */
  #ask(step: (requestId: number, at: Now) => void): Promise<Reply | null> {
    if (this.#waiting.size >= parkedGroupRequestsMax) return Promise.resolve(null);
    const requestId = this.#nextRequestId++;
    const reply = new Promise<Reply>((resolve) => this.#waiting.set(requestId, resolve));
    step(requestId, this.#now());
    this.#drain();
    return reply;
  }

  // ---- Effects --------------------------------------------------------------------------

  /** Sends the core's replies and performs its appends until it has nothing more to say. */
  #drain(): void {
    for (let effects = this.#core.drain(); effects.replies.length + effects.appends.length > 0; effects = this.#core.drain()) {
      for (const reply of effects.replies) {
        const resolve = this.#waiting.get(reply.requestId);
        this.#waiting.delete(reply.requestId);
        resolve?.(reply);
      }
      for (const append of effects.appends) this.#perform(append);
    }
    this.#rearm();
  }

  /** Appends the records as leader and reports the outcome once acks=all holds (or fails). */
  #perform(append: AppendRequest): void {
    const settle = (errorCode: number): void => this.#core.appended(append.appendId, errorCode, this.#now());
    const loaded = this.#led.get(append.partition);
    const partition = loaded?.partition;
    const leader = partition?.leader ?? null;
    if (partition === undefined || leader === null || loaded!.epoch !== append.loadEpoch || leader.leaderEpoch !== append.loadEpoch || !this.#options.mayAcknowledge()) {
      return settle(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
    const wallMs = this.#clock.wallMs();
    const batch = encodeRecordBatch({ records: append.records.map((r) => ({ key: r.key, value: r.value, timestamp: wallMs })) });
    const topic = this.#options.metadata.current().topics.get(offsetsTopicName);
    if (batch.length > maxMessageBytesFor(this.#options.config, topic?.configs ?? {})) return settle(ErrorCode.MESSAGE_TOO_LARGE);
    const refused = leader.checkAcksAll();
    if (refused !== ErrorCode.NONE) return settle(refused);
    let lastOffset: number;
    try {
      lastOffset = partition.appendAsLeader(batch, leader).lastOffset;
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      this.#options.logger.error({ err: error, partition: partition.key }, 'could not write to an offsets partition');
      return settle(ErrorCode.KAFKA_STORAGE_ERROR);
    }
    const timeoutMs = this.#options.config.int('offsets.commit.timeout.ms');
    void this.#options.partitions.produces.park(partition, lastOffset + 1, timeoutMs).then((errorCode) => {
      this.#core.appended(append.appendId, errorCode, this.#now());
      this.#drain();
    });
  }

  #rearm(): void {
    if (this.#closed) return;
    const next = this.#core.nextDeadlineMs();
    if (next === this.#armedAtMs) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armedAtMs = next;
    if (next === Number.POSITIVE_INFINITY) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#armedAtMs = Number.POSITIVE_INFINITY;
      this.#core.tick(this.#now());
      this.#drain();
    }, Math.max(0, Math.ceil(next - this.#clock.nowMs())));
  }

  #now(): Now {
    return { nowMs: this.#clock.nowMs(), wallMs: this.#clock.wallMs() };
  }

  /** Group gauges, refreshed when Prometheus scrapes; lag where this node has the partition. */
  #reportMetrics(): void {
    const { metrics, partitions } = this.#options;
    metrics.consumerGroupRebalances.inc(this.#core.rebalancesCompleted - this.#reportedRebalances);
    this.#reportedRebalances = this.#core.rebalancesCompleted;
    metrics.consumerGroupMembers.reset();
    metrics.consumerGroupCommittedOffset.reset();
    metrics.consumerGroupLag.reset();
    for (const group of this.#core.snapshot()) {
      metrics.consumerGroupMembers.set({ group: group.groupId }, group.members);
      for (const { topic, partition, offset } of group.offsets) {
        const labels = { group: group.groupId, topic, partition: String(partition) };
        metrics.consumerGroupCommittedOffset.set(labels, offset);
        const local = partitions.get(topic, partition);
        if (local !== undefined) metrics.consumerGroupLag.set(labels, Math.max(0, local.highWatermark - offset));
      }
    }
  }
}

function coordinatorNotAvailable(errorMessage: string): CoordinatorAddress {
  return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage, nodeId: -1, host: '', port: -1 };
}
