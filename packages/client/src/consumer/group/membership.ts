import { ApiKey, ErrorCode } from '@rill/protocol';
import { KafkaError, RillError } from '../../errors.js';
import { groupMembersMax } from '../../limits.js';
import type { Committer, GroupContext } from '../../admin/groups.js';
import { backoffMs, delay } from '../../cluster/retry.js';
import type { Connection } from '../../network/connection.js';
import type { ResolvedConsumerOptions } from '../options.js';
import type { TopicPartition } from '../subscription-state.js';
import {
  assignorsNamed,
  generationFromUserData,
  rebalanceProtocolOf,
  type Assignor,
  type MemberSubscription,
} from './assignors/index.js';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  type TopicPartitions,
} from './consumer-protocol.js';
import { GroupCore, type GroupEffect, type GroupEvent, type JoinResult } from './group-core.js';

/** What membership needs from the consumer it serves. */
export interface MembershipHost {
  readonly group: GroupContext;
  readonly options: ResolvedConsumerOptions;
  setAssignment(partitions: readonly TopicPartition[]): void;
  commitProcessed(): Promise<void>;
  fail(error: Error): void;
}

/** Slack on top of the rebalance timeout: the coordinator holds JoinGroup that long. */
const JOIN_SLACK_MS = 5000;

/**
 * Drives a GroupCore against the group coordinator: sends what its effects ask for, feeds
 * the answers back as events (one at a time, in order), heartbeats while stable, and keeps
 * the consumer's assignment equal to what the group gave this member.
 */
export class GroupMembership {
  readonly #host: MembershipHost;
  readonly #groupId: string;
  readonly #topics: readonly string[];
  readonly #assignors: readonly Assignor[];
  readonly #core: GroupCore;
  #chain: Promise<void> = Promise.resolve();
  #heartbeat: NodeJS.Timeout | null = null;
  #retries = 0;
  /** Partition counts the last assignment this member computed as leader was based on. */
  #assignedCounts: ReadonlyMap<string, number> | null = null;
  #unwatch: (() => void) | null = null;
  #closed = false;

  constructor(host: MembershipHost, groupId: string, topics: readonly string[]) {
    this.#host = host;
    this.#groupId = groupId;
    this.#topics = [...topics].sort();
    this.#assignors = assignorsNamed(host.options.assignors);
    this.#core = new GroupCore(rebalanceProtocolOf(this.#assignors));
  }

  /**
   * Who commits offsets now: this member in its generation — still valid while a rebalance
   * is being prepared, which is when revoked partitions are committed. Null when it has no
   * generation (before the first join, or fenced).
   */
  committer(): Committer | null {
    if (this.#core.generationId < 0 || this.#core.memberId === '') return null;
    return { generationId: this.#core.generationId, memberId: this.#core.memberId };
  }

  /** Joins; rejects if the first join cannot happen (e.g. the cluster has no group APIs). */
  start(): Promise<void> {
    this.#unwatch = this.#host.group.cluster.onMetadata((metadata) =>
      this.#checkPartitionCounts(metadata.topics),
    );
    const first = this.#chain.then(() => this.#apply({ type: 'start' }));
    this.#chain = first.catch(() => undefined);
    return first;
  }

  async close(): Promise<void> {
    this.#unwatch?.();
    await this.#feed({ type: 'leave' });
    this.#closed = true;
    this.#stopHeartbeats();
  }

  /** Queues an event; its effects (and those of the answers they bring) run in order. */
  #feed(event: GroupEvent): Promise<void> {
    const next = this.#chain.then(() => this.#apply(event));
    this.#chain = next.catch((error: unknown) => this.#host.fail(error as Error));
    return this.#chain;
  }

  /** Runs effects in order; an effect that brings an answer puts the answer's effects next. */
  async #apply(event: GroupEvent): Promise<void> {
    if (this.#closed) return;
    let pending = this.#core.step(event);
    while (pending.length > 0) {
      const answer = await this.#perform(pending.shift()!);
      if (answer !== undefined) pending = [...this.#core.step(answer), ...pending];
    }
  }

  async #perform(effect: GroupEffect): Promise<GroupEvent | undefined> {
    switch (effect.type) {
      case 'join':
        return this.#join(effect.memberId, effect.owned);
      case 'syncAsLeader':
        this.#logJoined('leader');
        return this.#sync(await this.#assign(effect.protocol, effect.members));
      case 'syncAsFollower':
        this.#logJoined('follower');
        this.#assignedCounts = null;
        return this.#sync([]);
      case 'revoke':
        this.#logPartitions('partitions revoked', effect.partitions);
        // Commit while the partitions are still ours, in the generation that owns them.
        if (this.#host.options.autoCommit)
          await this.#host.commitProcessed().catch(() => undefined);
        this.#host.setAssignment(flatten(this.#core.owned));
        return undefined;
      case 'lose':
        this.#logPartitions('fenced by the group: partitions lost uncommitted', effect.partitions);
        this.#host.setAssignment(flatten(this.#core.owned));
        return undefined;
      case 'assign':
        this.#logPartitions('partitions assigned', effect.partitions);
        this.#host.setAssignment(flatten(this.#core.owned));
        return undefined;
      case 'heartbeats':
        if (effect.on) this.#startHeartbeats();
        else this.#stopHeartbeats();
        return undefined;
      case 'findCoordinator':
        this.#host.group.coordinators.forget(this.#groupId);
        return undefined;
      case 'retryLater':
        await delay(backoffMs(this.#host.group.cluster.options.retry, ++this.#retries));
        return this.#join(this.#core.memberId, this.#core.owned);
      case 'leave':
        await this.#leave(effect.memberId);
        return undefined;
      case 'fail':
        this.#host.fail(effect.error);
        return undefined;
    }
  }

  async #join(memberId: string, owned: readonly TopicPartitions[]): Promise<GroupEvent> {
    const { options } = this.#host;
    const protocols = this.#assignors.map((assignor) => ({
      name: assignor.name,
      metadata: encodeSubscription({
        topics: this.#topics,
        userData: assignor.subscriptionUserData(this.#core.generationId),
        ownedPartitions: owned,
      }),
    }));
    const result = await this.#onCoordinator<JoinResult>(
      (connection) =>
        connection.request(
          ApiKey.JoinGroup,
          {
            groupId: this.#groupId,
            sessionTimeoutMs: options.sessionTimeoutMs,
            rebalanceTimeoutMs: options.rebalanceTimeoutMs,
            memberId,
            protocolType: 'consumer',
            protocols,
          },
          { timeoutMs: options.rebalanceTimeoutMs + JOIN_SLACK_MS },
        ),
      (errorCode) => ({
        errorCode,
        memberId,
        generationId: -1,
        protocolName: '',
        leader: '',
        members: [],
      }),
    );
    if (result.errorCode === ErrorCode.NONE) this.#retries = 0;
    return { type: 'joined', result };
  }

  /** The leader's job: decode every member's subscription and run the chosen assignor. */
  async #assign(
    protocol: string,
    members: JoinResult['members'],
  ): Promise<{ memberId: string; assignment: Buffer }[]> {
    const assignor = this.#assignors.find((a) => a.name === protocol);
    if (assignor === undefined)
      throw new KafkaError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, {
        groupId: this.#groupId,
        brokerMessage: `the group chose ${protocol}, which this member does not offer`,
      });
    if (members.length > groupMembersMax)
      throw new RillError(
        `group ${this.#groupId} has ${members.length} members, more than ${groupMembersMax}`,
        { retriable: false },
      );
    const subscriptions: MemberSubscription[] = members.map((m) => {
      const decoded = decodeSubscription(m.metadata);
      return {
        memberId: m.memberId,
        topics: decoded.topics,
        ownedPartitions: decoded.ownedPartitions,
        generation: generationFromUserData(decoded.userData),
      };
    });
    const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
    // Track the whole group's topics, so later refreshes show when any of them grows.
    this.#host.group.cluster.track(topics);
    const metadata = await this.#host.group.cluster.describeTopics(topics);
    const partitionsPerTopic = new Map<string, number>();
    for (const [name, info] of metadata.topics)
      if (info.errorCode === ErrorCode.NONE) partitionsPerTopic.set(name, info.partitions.length);
    this.#assignedCounts = partitionsPerTopic;
    const assignment = assignor.assign({ members: subscriptions, partitionsPerTopic });
    return subscriptions.map((s) => ({
      memberId: s.memberId,
      assignment: encodeAssignment({
        partitions: assignment.get(s.memberId) ?? [],
        userData: null,
      }),
    }));
  }

  async #sync(assignments: { memberId: string; assignment: Buffer }[]): Promise<GroupEvent> {
    const answer = await this.#onCoordinator(
      (connection) =>
        connection.request(
          ApiKey.SyncGroup,
          {
            groupId: this.#groupId,
            generationId: this.#core.generationId,
            memberId: this.#core.memberId,
            assignments,
          },
          { timeoutMs: this.#host.options.rebalanceTimeoutMs + JOIN_SLACK_MS },
        ),
      (errorCode) => ({ errorCode, assignment: Buffer.alloc(0), throttleTimeMs: 0 }),
    );
    const partitions =
      answer.errorCode === ErrorCode.NONE ? decodeAssignment(answer.assignment).partitions : [];
    return { type: 'synced', errorCode: answer.errorCode, assignment: partitions };
  }

  async #leave(memberId: string): Promise<void> {
    try {
      await this.#onCoordinator(
        (c) => c.request(ApiKey.LeaveGroup, { groupId: this.#groupId, memberId }),
        (errorCode) => ({ errorCode, throttleTimeMs: 0 }),
      );
    } catch {
      // Best effort: if the coordinator cannot be reached, the session timeout removes us.
    }
  }

  /** As leader: a subscribed topic gained partitions (or appeared) since we assigned, so reassign. */
  #checkPartitionCounts(
    topics: ReadonlyMap<string, { errorCode: number; partitions: readonly unknown[] }>,
  ): void {
    const assigned = this.#assignedCounts;
    if (assigned === null || this.#core.phase !== 'stable') return;
    const changed = [...assigned.keys(), ...this.#topics].some((topic) => {
      const info = topics.get(topic);
      return (
        info !== undefined &&
        info.errorCode === ErrorCode.NONE &&
        info.partitions.length !== (assigned.get(topic) ?? 0)
      );
    });
    if (!changed) return;
    this.#assignedCounts = null;
    void this.#feed({ type: 'metadataChanged' });
  }

  #logJoined(role: 'leader' | 'follower'): void {
    this.#host.group.cluster.logger.info('joined the group', {
      group: this.#groupId,
      generation: this.#core.generationId,
      memberId: this.#core.memberId,
      role,
    });
  }

  #logPartitions(message: string, partitions: readonly TopicPartitions[]): void {
    const generation = this.#core.generationId;
    this.#host.group.cluster.logger.info(message, {
      group: this.#groupId,
      // A fenced member has no generation left to name.
      ...(generation >= 0 ? { generation } : {}),
      partitions: partitions.map(({ topic, partitions }) => `${topic}:${partitions.join(',')}`),
    });
  }

  #startHeartbeats(): void {
    this.#stopHeartbeats();
    this.#heartbeat = setInterval(() => void this.#beat(), this.#host.options.heartbeatIntervalMs);
    this.#heartbeat.unref();
  }

  #stopHeartbeats(): void {
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  async #beat(): Promise<void> {
    const generationId = this.#core.generationId;
    const answer = await this.#onCoordinator(
      (c) =>
        c.request(ApiKey.Heartbeat, {
          groupId: this.#groupId,
          generationId,
          memberId: this.#core.memberId,
        }),
      (errorCode) => ({ errorCode, throttleTimeMs: 0 }),
    ).catch(() => ({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }));
    // An answer for a generation we already left behind says nothing about the current one.
    if (generationId === this.#core.generationId)
      await this.#feed({ type: 'heartbeat', errorCode: answer.errorCode });
  }

  /**
   * A request to the coordinator. A lost connection becomes the error code the core
   * understands (COORDINATOR_NOT_AVAILABLE), so it looks the coordinator up and retries.
   */
  async #onCoordinator<T>(
    call: (connection: Connection) => Promise<T>,
    asError: (code: number) => T,
  ): Promise<T> {
    try {
      return await call(await this.#host.group.coordinators.connectionFor(this.#groupId));
    } catch (error) {
      if (error instanceof KafkaError) return asError(error.code);
      if (error instanceof RillError && error.retriable)
        return asError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      throw error;
    }
  }
}

function flatten(entries: readonly TopicPartitions[]): TopicPartition[] {
  return entries.flatMap(({ topic, partitions }) =>
    partitions.map((partition) => ({ topic, partition })),
  );
}
