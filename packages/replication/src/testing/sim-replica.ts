/**
 * One simulated broker, driving the replication core exactly as the broker's I/O driver
 * does: metadata decides the role; a leader answers fetches and OffsetForLeaderEpoch (after
 * checking the leader epoch), appends produce requests, parks acks=all requests until the
 * high watermark passes them, proposes ISR changes; a follower finds its divergence point,
 * then fetches. The broker keeps a lease from its heartbeats and acknowledges no acks=all
 * write without it. Everything not on the SimDisk dies with the process.
 */
import { ErrorCode } from '@rill/protocol';
import type { EpochEndOffset, LeaderEpochCache } from '../index.js';
import {
  BrokerLease,
  PartitionFollower,
  PartitionLeader,
  firstEpochToAsk,
  replicationLimits,
  truncationStep,
  undefinedEpochEndOffset,
} from '../index.js';
import { controllerId } from './sim-config.js';
import type { SimContext } from './sim-context.js';
import type { SimDisk } from './sim-disk.js';
import type { PartitionState, SimMessage, SimRecord } from './sim-messages.js';

/** What the invariant checker hears from a broker. */
export interface ReplicaObserver {
  appended(node: number, from: number): void;
  truncated(node: number, to: number): void;
  /** A leader exposes its high watermark: when it is elected (`elected`), and whenever it advances. */
  leaderHighWatermark(node: number, leader: PartitionLeader, elected: boolean): void;
}

interface Waiter {
  readonly client: number;
  readonly requestId: number;
  readonly offset: number;
  readonly expiresAtMs: number;
}

interface Outstanding {
  readonly requestId: number;
  readonly sentAtMs: number;
}

interface LeaderRole {
  readonly kind: 'leader';
  readonly core: PartitionLeader;
  waiters: Waiter[];
  alter: Outstanding | null;
}

interface FollowerRole {
  readonly kind: 'follower';
  readonly core: PartitionFollower;
  fetch: Outstanding | null;
  query: (Outstanding & { readonly epoch: number }) | null;
  rounds: number;
  nextFetchMs: number;
}

type Role = { readonly kind: 'none' } | LeaderRole | FollowerRole;

export class SimReplica {
  readonly cache: LeaderEpochCache;
  readonly lease: BrokerLease;
  role: Role = { kind: 'none' };
  paused = false;
  readonly inbox: [number, SimMessage][] = [];
  /** The HW this broker knows (its last role's, or the checkpoint). */
  #highWatermark: number;
  #metadataVersion = -1;
  #nextHeartbeatMs = 0;
  #nextFlushMs: number;
  #requestSequence = 0;

  constructor(
    readonly id: number,
    readonly incarnation: number,
    readonly disk: SimDisk,
    readonly context: SimContext,
    readonly observer: ReplicaObserver,
  ) {
    this.cache = disk.recoverEpochCache();
    this.#highWatermark = Math.min(disk.highWatermarkCheckpoint, disk.logEndOffset);
    this.lease = new BrokerLease(context.config.sessionTimeoutMs);
    this.#nextFlushMs = context.now() + context.random.between(1, context.config.flushIntervalMs);
  }

  get highWatermark(): number {
    if (this.role.kind === 'none') return this.#highWatermark;
    return this.role.core.highWatermark;
  }

  describe(): string {
    const role = this.role;
    const where = `log=${this.disk.logEndOffset} flushed=${this.disk.flushedEnd} hw=${this.highWatermark}`;
    const paused = this.paused ? ' paused' : '';
    if (role.kind === 'none') return `${this.id}#${this.incarnation} none ${where}${paused}`;
    if (role.kind === 'leader') {
      const c = role.core;
      return `${this.id}#${this.incarnation} leader e${c.leaderEpoch} p${c.partitionEpoch} isr=${c.committedIsr} max=${c.maximalIsr} ${where}${paused}`;
    }
    const c = role.core;
    return `${this.id}#${this.incarnation} follower of ${c.leaderId} e${c.leaderEpoch} ${c.state} ${where}${paused}`;
  }

  receive(from: number, message: SimMessage): void {
    switch (message.kind) {
      case 'metadata':
        return this.#metadata(message.version, message.partition, message.incarnations);
      case 'heartbeatAnswer':
        if (message.incarnation === this.incarnation && !message.fenced)
          this.lease.heartbeatAnswered(message.sentAtMs);
        return;
      case 'alterPartitionAnswer':
        return this.#alterAnswered(message.incarnation, message.requestId, message.outcome);
      case 'fetch':
        return this.#fetchAsked(from, message);
      case 'fetchAnswer':
        return this.#fetchAnswered(message);
      case 'epochQuery':
        return this.#epochAsked(from, message.requestId, message.leaderEpoch, message.epoch);
      case 'epochAnswer':
        return this.#epochAnswered(message.requestId, message.errorCode, message.answer);
      case 'produce':
        return this.#produce(from, message.requestId, message.acksAll, message.payload);
      default:
        return;
    }
  }

  tick(): void {
    const now = this.context.now();
    const config = this.context.config;
    if (now >= this.#nextHeartbeatMs) {
      this.#nextHeartbeatMs = now + config.heartbeatIntervalMs;
      this.#send(controllerId, { kind: 'heartbeat', incarnation: this.incarnation, sentAtMs: now });
    }
    if (now >= this.#nextFlushMs) {
      this.#nextFlushMs = now + config.flushIntervalMs;
      this.disk.flush(this.highWatermark);
    }
    const role = this.role;
    if (role.kind === 'leader') this.#leaderTick(role, now);
    else if (role.kind === 'follower') this.#followerTick(role, now);
  }

  // ---- metadata and roles ----

  #metadata(version: number, partition: PartitionState, incarnations: ReadonlyMap<number, number>): void {
    if (incarnations.get(this.id) !== this.incarnation || version <= this.#metadataVersion) return;
    this.#metadataVersion = version;
    const role = this.role;
    if (partition.leader === this.id) {
      if (role.kind === 'leader' && role.core.leaderEpoch === partition.leaderEpoch) {
        const advanced = role.core.metadataChanged(partition, this.context.now());
        if (!role.core.isrChangeInFlight) role.alter = null;
        this.#afterLeaderChange(role, advanced);
      } else if (role.kind !== 'leader' || role.core.leaderEpoch < partition.leaderEpoch) {
        this.#becomeLeader(partition);
      }
      return;
    }
    if (partition.leader >= 0 && partition.replicas.includes(this.id)) {
      const same =
        role.kind === 'follower' &&
        role.core.leaderId === partition.leader &&
        role.core.leaderEpoch === partition.leaderEpoch;
      if (!same) this.#becomeFollower(partition.leader, partition.leaderEpoch);
      return;
    }
    this.#resign();
    this.role = { kind: 'none' };
  }

  #becomeLeader(partition: PartitionState): void {
    this.#resign();
    const config = this.context.config;
    const now = this.context.now();
    const logEndOffset = this.disk.logEndOffset;
    // KIP-279: a new leader records its epoch at its log end offset at once.
    this.cache.assign(partition.leaderEpoch, logEndOffset);
    this.disk.epochEntries = this.cache.entries;
    const core = new PartitionLeader({
      localId: this.id,
      replicas: partition.replicas,
      isr: partition.isr,
      leaderEpoch: partition.leaderEpoch,
      partitionEpoch: partition.partitionEpoch,
      minInsyncReplicas: config.minInsyncReplicas,
      replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
      retryBackoffMs: config.retryBackoffMs,
      logEndOffset,
      highWatermark: Math.min(this.highWatermark, logEndOffset),
      nowMs: now,
    });
    this.role = { kind: 'leader', core, waiters: [], alter: null };
    this.context.trace(() => `${this.describe()} becomes leader`);
    this.observer.leaderHighWatermark(this.id, core, true);
  }

  #becomeFollower(leaderId: number, leaderEpoch: number): void {
    this.#resign();
    const core = new PartitionFollower({
      leaderId,
      leaderEpoch,
      logEndOffset: this.disk.logEndOffset,
      highWatermark: this.highWatermark,
    });
    this.role = { kind: 'follower', core, fetch: null, query: null, rounds: 0, nextFetchMs: 0 };
    this.context.trace(() => `${this.describe()} follows`);
  }

  /** Leaving a leadership: every parked acks=all request fails (the batch may or may not survive). */
  #resign(): void {
    const role = this.role;
    this.#highWatermark = this.highWatermark;
    if (role.kind !== 'leader') return;
    for (const waiter of role.waiters) this.#answerProduce(waiter, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    role.waiters = [];
  }

  // ---- leader ----

  #leaderTick(role: LeaderRole, now: number): void {
    const config = this.context.config;
    if (role.alter !== null && now - role.alter.sentAtMs >= config.alterPartitionTimeoutMs) {
      role.alter = null;
      role.core.isrChangeFailed(now);
      this.context.trace(() => `${this.id} gets no answer to its ISR change`);
      this.context.coverage.alterFailures++;
    }
    this.#maybeProposeIsrChange(role, now);
    this.#completeWaiters(role);
  }

  /**
   * On every tick (shrinks) and right after every follower fetch (expands: as Kafka's
   * maybeExpandIsr, at the moment a follower is caught up; with a lone leader the HW moves
   * with each append, so a periodic check alone may never see a follower at the HW).
   */
  #maybeProposeIsrChange(role: LeaderRole, now: number): void {
    if (role.alter !== null) return;
    const proposal = role.core.proposeIsrChange(now);
    if (proposal === null) return;
    role.alter = { requestId: ++this.#requestSequence, sentAtMs: now };
    this.context.trace(() => `${this.id} proposes isr=${proposal.newIsr} at p${proposal.partitionEpoch}`);
    this.#send(controllerId, {
      kind: 'alterPartition',
      incarnation: this.incarnation,
      requestId: role.alter.requestId,
      proposal,
    });
  }

  #alterAnswered(incarnation: number, requestId: number, outcome: Parameters<PartitionLeader['isrChangeAnswered']>[0]): void {
    const role = this.role;
    if (incarnation !== this.incarnation || role.kind !== 'leader' || role.alter?.requestId !== requestId) return;
    role.alter = null;
    this.context.trace(() => `${this.id} hears isr=${outcome.isr} p${outcome.partitionEpoch} error ${outcome.errorCode}`);
    const advanced = role.core.isrChangeAnswered(outcome, this.context.now());
    this.#afterLeaderChange(role, advanced);
  }

  #afterLeaderChange(role: LeaderRole, advanced: boolean): void {
    if (advanced) {
      this.context.trace(() => `${this.id} leader e${role.core.leaderEpoch} HW -> ${role.core.highWatermark} (max isr ${role.core.maximalIsr}: ${role.core.maximalIsr.map((id) => role.core.followerLogEndOffset(id))})`);
      this.observer.leaderHighWatermark(this.id, role.core, false);
    }
    this.#completeWaiters(role);
  }

  #fetchAsked(from: number, fetch: Extract<SimMessage, { kind: 'fetch' }>): void {
    const { requestId, leaderEpoch, fetchOffset, brokerEpoch } = fetch;
    const role = this.role;
    const errorCode = this.#epochCheck(leaderEpoch);
    if (role.kind !== 'leader' || errorCode !== ErrorCode.NONE) {
      this.#send(from, { kind: 'fetchAnswer', requestId, errorCode, baseOffset: fetchOffset, records: [], highWatermark: -1 });
      return;
    }
    const log = this.disk.log;
    if (fetchOffset > log.length || fetchOffset < 0) {
      this.#send(from, {
        kind: 'fetchAnswer',
        requestId,
        errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
        baseOffset: fetchOffset,
        records: [],
        highWatermark: role.core.highWatermark,
      });
      return;
    }
    const now = this.context.now();
    const advanced = role.core.followerFetched(from, fetchOffset, now, { leaderEpoch, brokerEpoch });
    this.#afterLeaderChange(role, advanced);
    this.#maybeProposeIsrChange(role, now);
    const records = log.slice(fetchOffset, fetchOffset + this.context.config.fetchBatchesMax);
    this.#send(from, {
      kind: 'fetchAnswer',
      requestId,
      errorCode: ErrorCode.NONE,
      baseOffset: fetchOffset,
      records,
      highWatermark: role.core.highWatermark,
    });
  }

  #epochAsked(from: number, requestId: number, leaderEpoch: number, epoch: number): void {
    const role = this.role;
    const errorCode = this.#epochCheck(leaderEpoch);
    const answer: EpochEndOffset =
      role.kind === 'leader' && errorCode === ErrorCode.NONE
        ? this.cache.endOffsetFor(epoch, this.disk.logEndOffset)
        : undefinedEpochEndOffset;
    this.#send(from, { kind: 'epochAnswer', requestId, errorCode, answer });
  }

  /** KIP-320: a request in an older epoch is fenced, one in a newer epoch is unknown to us. */
  #epochCheck(leaderEpoch: number): number {
    const role = this.role;
    if (role.kind !== 'leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (leaderEpoch < role.core.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (leaderEpoch > role.core.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    return ErrorCode.NONE;
  }

  #produce(client: number, requestId: number, acksAll: boolean, payload: number): void {
    const role = this.role;
    const now = this.context.now();
    const refuse = (errorCode: number): void =>
      this.#send(client, { kind: 'produceAnswer', requestId, errorCode, offset: -1 });
    if (role.kind !== 'leader') return refuse(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    if (acksAll) {
      if (!this.lease.isValid(now)) {
        this.context.coverage.leaseRefusals++;
        return refuse(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      }
      const errorCode = role.core.checkAcksAll();
      if (errorCode !== ErrorCode.NONE) {
        this.context.coverage.notEnoughReplicas++;
        return refuse(errorCode);
      }
      if (role.waiters.length >= this.context.config.waitersMax) return refuse(ErrorCode.REQUEST_TIMED_OUT);
    }
    const offset = this.disk.logEndOffset;
    const record: SimRecord = { epoch: role.core.leaderEpoch, payload };
    this.disk.append(record);
    this.observer.appended(this.id, offset);
    const advanced = role.core.localAppended(this.disk.logEndOffset);
    if (!acksAll) {
      this.#send(client, { kind: 'produceAnswer', requestId, errorCode: ErrorCode.NONE, offset });
    } else {
      role.waiters.push({ client, requestId, offset, expiresAtMs: now + this.context.config.produceTimeoutMs });
    }
    this.#afterLeaderChange(role, advanced);
  }

  /**
   * Purgatory: each waiter completes once, on success, on a shrunken ISR, or on expiry. A
   * leader whose lease ran out acknowledges nothing: it may have been replaced already.
   */
  #completeWaiters(role: LeaderRole): void {
    if (role.waiters.length === 0) return;
    const now = this.context.now();
    const leased = this.lease.isValid(now);
    role.waiters = role.waiters.filter((waiter) => {
      const status = role.core.acksAllStatus(waiter.offset + 1);
      if (status === 'satisfied' && !leased) {
        this.context.coverage.leaseRefusals++;
        this.#answerProduce(waiter, ErrorCode.REQUEST_TIMED_OUT);
      } else if (status === 'satisfied') {
        this.#answerProduce(waiter, ErrorCode.NONE);
      } else if (status === 'notEnoughReplicasAfterAppend') {
        this.#answerProduce(waiter, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
      } else if (now >= waiter.expiresAtMs) {
        this.#answerProduce(waiter, ErrorCode.REQUEST_TIMED_OUT);
      } else {
        return true;
      }
      return false;
    });
  }

  #answerProduce(waiter: Waiter, errorCode: number): void {
    const offset = errorCode === ErrorCode.NONE ? waiter.offset : -1;
    this.#send(waiter.client, { kind: 'produceAnswer', requestId: waiter.requestId, errorCode, offset });
  }

  // ---- follower ----

  #followerTick(role: FollowerRole, now: number): void {
    const timeout = this.context.config.fetchTimeoutMs;
    if (role.core.state === 'truncating') {
      if (role.query === null || now - role.query.sentAtMs >= timeout) this.#startTruncation(role);
      return;
    }
    if (role.fetch !== null && now - role.fetch.sentAtMs < timeout) return;
    if (now >= role.nextFetchMs) this.#sendFetch(role);
  }

  #startTruncation(role: FollowerRole): void {
    role.rounds = 0;
    const epoch = firstEpochToAsk(this.cache);
    if (epoch === null) {
      // Kafka's fallback for a follower without epochs: its high watermark (0 for an empty log).
      this.#truncateLog(role.core.highWatermark);
      this.#truncationDone(role);
      return;
    }
    this.#sendQuery(role, epoch);
  }

  #sendQuery(role: FollowerRole, epoch: number): void {
    role.query = { requestId: ++this.#requestSequence, sentAtMs: this.context.now(), epoch };
    this.#send(role.core.leaderId, {
      kind: 'epochQuery',
      requestId: role.query.requestId,
      leaderEpoch: role.core.leaderEpoch,
      epoch,
    });
  }

  #epochAnswered(requestId: number, errorCode: number, answer: EpochEndOffset): void {
    const role = this.role;
    if (role.kind !== 'follower' || role.query?.requestId !== requestId) return;
    if (role.core.state !== 'truncating') return;
    // On an error the query stays outstanding: it is asked again once it times out.
    if (errorCode !== ErrorCode.NONE) return;
    const asked = role.query.epoch;
    role.query = null;
    const step = truncationStep({
      cache: this.cache,
      logEndOffset: this.disk.logEndOffset,
      highWatermark: role.core.highWatermark,
      leaderAnswer: answer,
      askedEpoch: asked,
    });
    this.#truncateLog(step.truncateTo);
    role.rounds++;
    if (step.kind === 'done') return this.#truncationDone(role);
    this.context.coverage.multiRoundTruncations++;
    if (role.rounds >= replicationLimits.truncationRoundsMax) {
      this.#truncateLog(role.core.highWatermark);
      return this.#truncationDone(role);
    }
    this.#sendQuery(role, step.epoch);
  }

  #truncationDone(role: FollowerRole): void {
    role.core.truncated(this.disk.logEndOffset);
    role.fetch = null;
    this.#sendFetch(role);
  }

  #truncateLog(logEndOffset: number): void {
    if (logEndOffset >= this.disk.logEndOffset) return;
    this.context.coverage.truncations++;
    this.context.trace(() => `${this.id} truncates ${this.disk.logEndOffset} -> ${logEndOffset}`);
    this.disk.truncate(logEndOffset);
    if (this.cache.truncateFromEnd(logEndOffset)) this.disk.epochEntries = this.cache.entries;
    this.observer.truncated(this.id, logEndOffset);
  }

  #sendFetch(role: FollowerRole): void {
    role.fetch = { requestId: ++this.#requestSequence, sentAtMs: this.context.now() };
    this.#send(role.core.leaderId, {
      kind: 'fetch',
      requestId: role.fetch.requestId,
      leaderEpoch: role.core.leaderEpoch,
      fetchOffset: role.core.fetchOffset,
      brokerEpoch: this.incarnation,
    });
  }

  #fetchAnswered(answer: Extract<SimMessage, { kind: 'fetchAnswer' }>): void {
    const role = this.role;
    if (role.kind !== 'follower' || role.fetch?.requestId !== answer.requestId) return;
    if (role.core.state !== 'fetching') return;
    role.fetch = null;
    const now = this.context.now();
    if (answer.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      role.core.truncationNeeded();
      role.query = null;
      return;
    }
    if (answer.errorCode !== ErrorCode.NONE || answer.baseOffset !== this.disk.logEndOffset) {
      role.nextFetchMs = now + this.context.config.fetchIdleMs;
      return;
    }
    let changed = false;
    for (const record of answer.records) {
      const offset = this.disk.logEndOffset;
      if (this.cache.assign(record.epoch, offset)) changed = true;
      this.disk.append(record);
    }
    if (changed) this.disk.epochEntries = this.cache.entries;
    if (answer.records.length > 0) {
      this.context.trace(() => `${this.id} appends [${answer.baseOffset}, ${this.disk.logEndOffset}) from ${role.core.leaderId} e${role.core.leaderEpoch}`);
      this.observer.appended(this.id, answer.baseOffset);
    }
    role.core.fetched(this.disk.logEndOffset, answer.highWatermark);
    if (answer.records.length > 0) this.#sendFetch(role);
    else role.nextFetchMs = now + this.context.config.fetchIdleMs;
  }

  #send(to: number, message: SimMessage): void {
    this.context.send(this.id, to, message);
  }
}
