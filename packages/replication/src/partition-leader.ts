/**
 * The leader side of one partition replica (DESIGN §7): follower log end offsets, the high
 * watermark, caught-up tracking, and the ISR changes the leader asks the controller for.
 * Pure: time arrives as `nowMs` arguments, effects are return values (a proposal to send, a
 * "the high watermark advanced" flag to wake purgatory).
 *
 * Semantics are Kafka's (Partition, Replica.updateFetchState, AlterPartition), with the
 * KIP-966 strict rule on the high watermark:
 * - HW = min log end offset over the maximal ISR (the committed ISR plus members an expand
 *   in flight may have added), the leader's own included. A member that has not fetched in
 *   this leader epoch is unknown and holds the HW where it is. The HW never decreases.
 * - The HW is frozen while the committed ISR is smaller than
 *   min(minInsyncReplicas, replicas.length). The min() lets a topic whose replication factor
 *   is below min.insync.replicas still serve acks=0/1 (acks=all is refused up front there).
 * - One AlterPartition in flight. An expand counts in the maximal ISR from the moment it is
 *   proposed until the controller's answer (or newer metadata) says what was committed; a
 *   shrink takes effect only when answered. Expands that may have been applied without our
 *   hearing (transport failure, ambiguous refusal) stay in the maximal ISR until newer
 *   metadata or an answer at a newer partition epoch settles them: the controller could
 *   elect such a member, so the HW must wait for it.
 */
import { assert } from '@rill/base';
import { ErrorCode } from '@rill/protocol';
import { durationMsMax, epochMax, offsetMax, replicaIdMax, replicasMax } from './limits.js';

export interface PartitionLeaderOptions {
  readonly localId: number;
  /** All replica ids, including localId. */
  readonly replicas: readonly number[];
  /** The committed ISR from the metadata. */
  readonly isr: readonly number[];
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly minInsyncReplicas: number;
  readonly replicaLagTimeMaxMs: number;
  /** The local log end offset now. */
  readonly logEndOffset: number;
  /** The last known HW (checkpoint, or the value this replica had as a follower), ≤ logEndOffset. */
  readonly highWatermark: number;
  readonly nowMs: number;
  /**
   * After a refused or failed AlterPartition, no new proposal for this long (Kafka's
   * retry.backoff.ms). Newer metadata lifts the wait. Default `defaultRetryBackoffMs`.
   */
  readonly retryBackoffMs?: number;
}

/** Kafka's retry.backoff.ms default. */
export const defaultRetryBackoffMs = 100;

/** A replica and the broker epoch (registration incarnation) the leader saw it fetch with; -1: unknown. */
export interface BrokerState {
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface IsrProposal {
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsr: readonly number[];
  /**
   * `newIsr` with the broker epoch each member last fetched with (AlterPartition v3+,
   * KIP-903). The controller must refuse (INELIGIBLE_REPLICA) a member whose registered
   * broker epoch differs: the leader's view of it may come from an incarnation that has
   * since restarted and lost part of its log. The leader itself is sent with -1.
   */
  readonly newIsrWithEpochs: readonly BrokerState[];
}

/** What a fetch request says about its sender, besides its offset. */
export interface FollowerFetch {
  /** The fetch's current_leader_epoch: a fetch from another epoch is ignored (KIP-320). */
  readonly leaderEpoch?: number;
  /**
   * The follower's broker epoch (its registration incarnation). A fetch from an older one is
   * ignored; a newer one starts the follower's state afresh (KIP-903).
   */
  readonly brokerEpoch?: number;
}

export interface IsrOutcome {
  readonly errorCode: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly isr: readonly number[];
}

export type AcksAllStatus = 'waiting' | 'satisfied' | 'notEnoughReplicasAfterAppend';

interface FollowerState {
  /** -1 until it fetches in this leader epoch. */
  logEndOffset: number;
  /** The broker epoch of its latest fetch; -1 unknown. */
  brokerEpoch: number;
  lastCaughtUpMs: number;
  /** The leader's log end offset when this follower last fetched (-1: not yet). */
  lastFetchLeaderLogEndOffset: number;
  lastFetchMs: number;
}

interface InFlight {
  readonly proposal: IsrProposal;
  /** Members the proposal adds to the committed ISR. */
  readonly adds: readonly number[];
}

/**
 * Refusals that say the request was not applied. Anything else (an unknown code) might
 * hide an applied change, so its adds stay in the maximal ISR until metadata settles them.
 */
const notApplied: ReadonlySet<number> = new Set([
  ErrorCode.INVALID_UPDATE_VERSION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.NOT_CONTROLLER,
  ErrorCode.INELIGIBLE_REPLICA,
  ErrorCode.OPERATION_NOT_ATTEMPTED,
  ErrorCode.INVALID_REQUEST,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.STALE_BROKER_EPOCH,
]);

/**
 * Refusals that also say our partition epoch is the controller's current one, so no earlier
 * request at this epoch was applied either (Kafka resets to the committed state on these).
 */
const currentEpochRefusals: ReadonlySet<number> = new Set([
  ErrorCode.INELIGIBLE_REPLICA,
  ErrorCode.OPERATION_NOT_ATTEMPTED,
]);

export class PartitionLeader {
  readonly #localId: number;
  readonly #leaderEpoch: number;
  readonly #minInsyncReplicas: number;
  readonly #replicaLagTimeMaxMs: number;
  readonly #retryBackoffMs: number;
  readonly #leaderEpochStartOffset: number;
  #replicas: readonly number[];
  #committedIsr: readonly number[];
  #partitionEpoch: number;
  #logEndOffset: number;
  #highWatermark: number;
  readonly #followers = new Map<number, FollowerState>();
  #inFlight: InFlight | null = null;
  /** Members an unanswered or ambiguously refused expand may have added. */
  #uncertainAdds: readonly number[] = [];
  #retryNotBeforeMs = Number.NEGATIVE_INFINITY;
  /** A failure came without a time: the backoff starts at the next proposeIsrChange. */
  #backoffPending = false;

  constructor(options: PartitionLeaderOptions) {
    checkOptions(options);
    this.#localId = options.localId;
    this.#leaderEpoch = options.leaderEpoch;
    this.#partitionEpoch = options.partitionEpoch;
    this.#minInsyncReplicas = options.minInsyncReplicas;
    this.#replicaLagTimeMaxMs = options.replicaLagTimeMaxMs;
    this.#retryBackoffMs = options.retryBackoffMs ?? defaultRetryBackoffMs;
    this.#replicas = distinct(options.replicas);
    this.#committedIsr = distinct(options.isr);
    this.#logEndOffset = options.logEndOffset;
    this.#highWatermark = options.highWatermark;
    this.#leaderEpochStartOffset = options.logEndOffset;
    this.#syncFollowers(options.nowMs);
    this.#maybeAdvanceHighWatermark();
  }

  get highWatermark(): number {
    return this.#highWatermark;
  }
  get logEndOffset(): number {
    return this.#logEndOffset;
  }
  get leaderEpoch(): number {
    return this.#leaderEpoch;
  }
  get partitionEpoch(): number {
    return this.#partitionEpoch;
  }
  /** The log end offset when this leader epoch began: followers must reach it to join the ISR. */
  get leaderEpochStartOffset(): number {
    return this.#leaderEpochStartOffset;
  }
  get replicas(): readonly number[] {
    return this.#replicas;
  }
  get committedIsr(): readonly number[] {
    return this.#committedIsr;
  }
  /** The committed ISR plus every member an expand in flight (or unsettled) may have added. */
  get maximalIsr(): readonly number[] {
    const extra = [...(this.#inFlight?.adds ?? []), ...this.#uncertainAdds];
    if (extra.length === 0) return this.#committedIsr;
    return distinct([...this.#committedIsr, ...extra]);
  }
  get isrChangeInFlight(): boolean {
    return this.#inFlight !== null;
  }
  get underReplicated(): boolean {
    return this.#committedIsr.length < this.#replicas.length;
  }
  get underMinIsr(): boolean {
    return this.#committedIsr.length < this.#minInsyncReplicas;
  }
  /** True while the KIP-966 rule holds the HW: committed ISR < min(minInsyncReplicas, replicas). */
  get highWatermarkFrozen(): boolean {
    return this.#committedIsr.length < Math.min(this.#minInsyncReplicas, this.#replicas.length);
  }

  /** -1 until the replica has fetched in this leader epoch; the leader's own LEO for localId. */
  followerLogEndOffset(replicaId: number): number {
    if (replicaId === this.#localId) return this.#logEndOffset;
    return this.#followers.get(replicaId)?.logEndOffset ?? -1;
  }

  /** When the follower last caught up with the leader's log end offset (-Infinity: never). */
  followerLastCaughtUpMs(replicaId: number): number {
    return this.#followers.get(replicaId)?.lastCaughtUpMs ?? Number.NEGATIVE_INFINITY;
  }

  /** Local append moved the log end offset. Returns whether the HW advanced. */
  localAppended(logEndOffset: number): boolean {
    assert(
      Number.isSafeInteger(logEndOffset) && logEndOffset >= this.#logEndOffset,
      `a leader's log only grows: ${this.#logEndOffset} -> ${logEndOffset}`,
    );
    this.#logEndOffset = logEndOffset;
    return this.#maybeAdvanceHighWatermark();
  }

  /**
   * A follower fetched at `fetchOffset` (its log end offset), as Kafka's
   * Replica.updateFetchState. Unknown ids, the leader's own id and offsets outside
   * [0, logEndOffset] are ignored (the driver answers the latter with OFFSET_OUT_OF_RANGE).
   * `fetch` tells the fetch's leader epoch and the follower's broker epoch: a fetch from
   * another leader epoch (the driver answers FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH,
   * KIP-320) or from an older incarnation of the follower is ignored, and a newer incarnation
   * starts the follower's state afresh: a restarted follower may have lost what it reported.
   * Returns whether the HW advanced.
   */
  followerFetched(replicaId: number, fetchOffset: number, nowMs: number, fetch: FollowerFetch = {}): boolean {
    if (fetch.leaderEpoch !== undefined && fetch.leaderEpoch !== this.#leaderEpoch) return false;
    const follower = this.#followers.get(replicaId);
    if (follower === undefined) return false;
    if (!Number.isSafeInteger(fetchOffset) || fetchOffset < 0 || fetchOffset > this.#logEndOffset)
      return false;
    const brokerEpoch = fetch.brokerEpoch ?? -1;
    if (brokerEpoch >= 0 && brokerEpoch < follower.brokerEpoch) return false;
    if (brokerEpoch > follower.brokerEpoch) {
      if (follower.brokerEpoch >= 0) this.#followers.set(replicaId, unknownFollower(Number.NEGATIVE_INFINITY));
      this.#followers.get(replicaId)!.brokerEpoch = brokerEpoch;
    }
    return this.#updateFetchState(this.#followers.get(replicaId)!, fetchOffset, nowMs);
  }

  #updateFetchState(follower: FollowerState, fetchOffset: number, nowMs: number): boolean {
    if (fetchOffset >= this.#logEndOffset) {
      follower.lastCaughtUpMs = Math.max(follower.lastCaughtUpMs, nowMs);
    } else if (fetchOffset >= follower.lastFetchLeaderLogEndOffset) {
      follower.lastCaughtUpMs = Math.max(follower.lastCaughtUpMs, follower.lastFetchMs);
    }
    follower.logEndOffset = fetchOffset;
    follower.lastFetchLeaderLogEndOffset = this.#logEndOffset;
    follower.lastFetchMs = nowMs;
    return this.#maybeAdvanceHighWatermark();
  }

  /**
   * The ISR change to send to the controller now, or null. A shrink (members that have not
   * caught up within replicaLagTimeMaxMs) comes before an expand (replicas whose log end
   * offset reached both the HW and this epoch's start). Never a second proposal while one
   * is in flight, and none during the backoff after a refusal or failure. `mayJoin` says
   * which brokers the controller would let join now (registered, unfenced, not shutting
   * down); asking for any other would only be refused, again after every backoff (KIP-841).
   */
  proposeIsrChange(nowMs: number, mayJoin: (brokerId: number) => boolean = () => true): IsrProposal | null {
    if (this.#inFlight !== null) return null;
    if (this.#backoffPending) {
      this.#backoffPending = false;
      this.#retryNotBeforeMs = nowMs + this.#retryBackoffMs;
    }
    if (nowMs < this.#retryNotBeforeMs) return null;
    const newIsr = this.#shrunkIsr(nowMs) ?? this.#expandedIsr(mayJoin);
    if (newIsr === null) return null;
    const proposal: IsrProposal = {
      leaderEpoch: this.#leaderEpoch,
      partitionEpoch: this.#partitionEpoch,
      newIsr,
      newIsrWithEpochs: newIsr.map((brokerId) => ({
        brokerId,
        brokerEpoch: this.#followers.get(brokerId)?.brokerEpoch ?? -1,
      })),
    };
    const adds = newIsr.filter((id) => !this.#committedIsr.includes(id));
    this.#inFlight = { proposal, adds };
    return proposal;
  }

  /** The controller answered the in-flight proposal. Returns whether the HW advanced. */
  isrChangeAnswered(outcome: IsrOutcome, nowMs: number): boolean {
    const inFlight = this.#inFlight;
    if (inFlight === null) return false;
    this.#inFlight = null;
    if (outcome.errorCode === ErrorCode.NONE && this.#isNewer(outcome)) {
      this.#commit(outcome.isr, outcome.partitionEpoch);
    } else {
      this.#refused(outcome.errorCode, inFlight);
      this.#retryNotBeforeMs = nowMs + this.#retryBackoffMs;
    }
    return this.#maybeAdvanceHighWatermark();
  }

  /**
   * The proposal got no answer (transport error, timeout): it may have been applied, so its
   * adds stay in the maximal ISR; it may be proposed again after the backoff (from `nowMs`,
   * or from the next proposeIsrChange call when no time is given).
   */
  isrChangeFailed(nowMs?: number): void {
    const inFlight = this.#inFlight;
    if (inFlight === null) return;
    this.#inFlight = null;
    this.#uncertainAdds = distinct([...this.#uncertainAdds, ...inFlight.adds]);
    if (nowMs === undefined) this.#backoffPending = true;
    else this.#retryNotBeforeMs = nowMs + this.#retryBackoffMs;
  }

  /**
   * Newer metadata for this partition at the same leader epoch (the controller removed a
   * fenced replica, or our own change was committed). Metadata at or below our partition
   * epoch is ignored. It settles every proposal: one in flight is dropped (its answer, if it
   * comes, will be ignored) and the backoff is lifted. Returns whether the HW advanced.
   */
  metadataChanged(
    update: {
      readonly isr: readonly number[];
      readonly partitionEpoch: number;
      readonly replicas: readonly number[];
    },
    nowMs: number,
  ): boolean {
    if (!Number.isSafeInteger(update.partitionEpoch) || update.partitionEpoch <= this.#partitionEpoch)
      return false;
    if (update.replicas.length > replicasMax) return false;
    this.#replicas = distinct(update.replicas);
    this.#inFlight = null;
    this.#commit(update.isr, update.partitionEpoch);
    this.#syncFollowers(nowMs);
    return this.#maybeAdvanceHighWatermark();
  }

  /** Before appending an acks=all batch: NONE, or NOT_ENOUGH_REPLICAS (committed ISR < min.insync.replicas). */
  checkAcksAll(): number {
    return this.underMinIsr ? ErrorCode.NOT_ENOUGH_REPLICAS : ErrorCode.NONE;
  }

  /** After appending, for a batch whose last offset is requiredOffset - 1: has the HW passed it? */
  acksAllStatus(requiredOffset: number): AcksAllStatus {
    if (this.#highWatermark < requiredOffset) return 'waiting';
    return this.underMinIsr ? 'notEnoughReplicasAfterAppend' : 'satisfied';
  }

  #isNewer(outcome: IsrOutcome): boolean {
    return (
      outcome.leaderEpoch === this.#leaderEpoch &&
      Number.isSafeInteger(outcome.partitionEpoch) &&
      outcome.partitionEpoch > this.#partitionEpoch
    );
  }

  /** The controller's state at a newer partition epoch: every earlier request is settled. */
  #commit(isr: readonly number[], partitionEpoch: number): void {
    this.#committedIsr = distinct(isr);
    this.#partitionEpoch = partitionEpoch;
    this.#uncertainAdds = [];
    this.#retryNotBeforeMs = Number.NEGATIVE_INFINITY;
    this.#backoffPending = false;
  }

  #refused(errorCode: number, inFlight: InFlight): void {
    if (currentEpochRefusals.has(errorCode)) {
      this.#uncertainAdds = this.#uncertainAdds.filter((id) => !inFlight.adds.includes(id));
    } else if (!notApplied.has(errorCode)) {
      this.#uncertainAdds = distinct([...this.#uncertainAdds, ...inFlight.adds]);
    }
  }

  #shrunkIsr(nowMs: number): readonly number[] | null {
    const lagging = this.#committedIsr.filter((id) => {
      if (id === this.#localId) return false;
      const follower = this.#followers.get(id);
      return follower !== undefined && nowMs - follower.lastCaughtUpMs > this.#replicaLagTimeMaxMs;
    });
    if (lagging.length === 0) return null;
    return this.#committedIsr.filter((id) => !lagging.includes(id));
  }

  /** Eligible replicas join, and unsettled adds are asked for again so an answer settles them. */
  #expandedIsr(mayJoin: (brokerId: number) => boolean): readonly number[] | null {
    const joining = this.#replicas.filter((id) => {
      if (this.#committedIsr.includes(id)) return false;
      if (this.#uncertainAdds.includes(id)) return true;
      if (!mayJoin(id)) return false;
      const leo = this.#followers.get(id)?.logEndOffset ?? -1;
      return leo >= this.#highWatermark && leo >= this.#leaderEpochStartOffset;
    });
    if (joining.length === 0) return null;
    return [...this.#committedIsr, ...joining];
  }

  /** One state per replica but us; ISR members start caught up now (Kafka's resetReplicaState). */
  #syncFollowers(nowMs: number): void {
    for (const id of this.#followers.keys()) {
      if (!this.#replicas.includes(id) || id === this.#localId) this.#followers.delete(id);
    }
    for (const id of this.#replicas) {
      if (id === this.#localId || this.#followers.has(id)) continue;
      const caughtUpMs = this.#committedIsr.includes(id) ? nowMs : Number.NEGATIVE_INFINITY;
      this.#followers.set(id, unknownFollower(caughtUpMs));
    }
  }

  #maybeAdvanceHighWatermark(): boolean {
    if (this.highWatermarkFrozen) return false;
    let candidate = this.#logEndOffset;
    for (const id of this.maximalIsr) {
      if (id === this.#localId) continue;
      candidate = Math.min(candidate, this.#followers.get(id)?.logEndOffset ?? -1);
    }
    if (candidate <= this.#highWatermark) return false;
    this.#highWatermark = candidate;
    return true;
  }
}

function unknownFollower(lastCaughtUpMs: number): FollowerState {
  return {
    logEndOffset: -1,
    brokerEpoch: -1,
    lastCaughtUpMs,
    lastFetchLeaderLogEndOffset: -1,
    lastFetchMs: Number.NEGATIVE_INFINITY,
  };
}

function distinct(ids: readonly number[]): readonly number[] {
  return [...new Set(ids)];
}

function isCount(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

/** Options come from our own metadata and config: a bad one is a bug, and fails loudly. */
function checkOptions(options: PartitionLeaderOptions): void {
  const { replicas, isr, localId } = options;
  assert(isCount(localId, 0, replicaIdMax), `localId ${localId} out of range`);
  assert(replicas.length <= replicasMax, `${replicas.length} replicas, at most ${replicasMax}`);
  assert(replicas.every((id) => isCount(id, 0, replicaIdMax)), 'replica ids in range');
  assert(replicas.includes(localId), `leader ${localId} is one of the replicas ${replicas}`);
  assert(isr.includes(localId), `leader ${localId} is in the ISR ${isr}`);
  assert(isCount(options.leaderEpoch, 0, epochMax), 'leaderEpoch in range');
  assert(isCount(options.partitionEpoch, 0, epochMax), 'partitionEpoch in range');
  assert(isCount(options.minInsyncReplicas, 1, replicasMax), 'minInsyncReplicas >= 1');
  assert(isCount(options.replicaLagTimeMaxMs, 1, durationMsMax), 'replicaLagTimeMaxMs in range');
  const backoff = options.retryBackoffMs ?? defaultRetryBackoffMs;
  assert(isCount(backoff, 0, durationMsMax), 'retryBackoffMs in range');
  assert(isCount(options.logEndOffset, 0, offsetMax), 'logEndOffset in range');
  assert(
    isCount(options.highWatermark, 0, options.logEndOffset),
    `highWatermark ${options.highWatermark} within [0, logEndOffset ${options.logEndOffset}]`,
  );
  assert(Number.isFinite(options.nowMs), 'nowMs is finite');
}
