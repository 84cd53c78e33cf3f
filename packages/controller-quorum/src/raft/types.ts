import type { Random } from '@rill/base';
import type { RaftMessage } from './messages.js';

/** One log entry. Offsets are dense from 0; epochs never decrease along the log. */
export interface Entry {
  readonly offset: number;
  readonly epoch: number;
  readonly payload: Buffer;
}

/** Where a snapshot ends: the offset and epoch of the last entry it covers (KIP-630). */
export interface SnapshotId {
  readonly lastOffset: number;
  readonly lastEpoch: number;
}

/** A state-machine snapshot: it replaces every entry at or below `lastOffset`. */
export interface RaftSnapshot extends SnapshotId {
  readonly data: Buffer;
}

/** What must survive a crash besides the log: the epoch and the vote cast in it. */
export interface HardState {
  readonly epoch: number;
  readonly votedFor: number | null;
}

/** Everything a node restarts from. Nothing else survives a crash. */
export interface StoredRaftState {
  readonly hardState: HardState | null;
  readonly snapshot: RaftSnapshot | null;
  readonly entries: readonly Entry[];
}

/**
 * Unattached: no known leader in this epoch (a voter waits out its election timer, an
 * observer looks for the leader). Prospective: canvassing with pre-votes (KIP-996), epoch
 * unchanged. Candidate: asked for real votes at a new epoch. Observers are only ever
 * unattached or followers.
 */
export type RaftRole = 'unattached' | 'follower' | 'prospective' | 'candidate' | 'leader';

/** A change worth a log line or a metric, with a reason a human can act on. */
export interface RaftEvent {
  readonly kind: 'role' | 'dropped' | 'refused' | 'snapshot' | 'truncated';
  readonly role: RaftRole;
  readonly epoch: number;
  readonly leaderId: number | null;
  readonly reason: string;
}

/**
 * Effects of the steps since the last drain. The driver MUST, in this order:
 *
 * 1. Persist, and fsync, before anything else: `hardState`, then `snapshotToPersist` (store it
 *    and delete persisted entries with offset <= its lastOffset), then `truncateFrom` (delete
 *    persisted entries with offset >= it), then append `entriesToPersist`. One atomic write is
 *    best; a crash part-way must leave a prefix of that order.
 * 2. Only then send `messages`: a vote or a fetch offset a peer sees must already be on disk,
 *    or a restart could forget a vote it cast or entries it acknowledged (KIP-595, etcd Ready).
 * 3. Then load `snapshotToApply` into the state machine (if set), then apply `committed`.
 *
 * The driver must finish one drain's persistence before calling the core again: the leader
 * counts its own log end towards the high watermark, which is only safe once it is on disk.
 */
export interface RaftEffects {
  readonly hardState: HardState | null;
  readonly snapshotToPersist: RaftSnapshot | null;
  readonly truncateFrom: number | null;
  readonly entriesToPersist: readonly Entry[];
  readonly messages: readonly RaftMessage[];
  readonly snapshotToApply: RaftSnapshot | null;
  readonly committed: readonly Entry[];
  readonly events: readonly RaftEvent[];
}

export interface RaftOptions {
  readonly nodeId: number;
  /** The static voter set (controller.quorum.voters). A node not in it is an observer. */
  readonly voters: readonly number[];
  /** controller.quorum.election.timeout.ms in ticks; the timer is drawn from [t, 2t). */
  readonly electionTimeoutTicks: number;
  /** controller.quorum.fetch.timeout.ms in ticks: when a follower gives up on its leader, and
   * the leader's check-quorum window. */
  readonly fetchTimeoutTicks: number;
  /** controller.quorum.election.backoff.max.ms in ticks: wait after a lost election. */
  readonly electionBackoffMaxTicks: number;
  /** controller.quorum.request.timeout.ms in ticks: a request unanswered this long is resent. */
  readonly requestTimeoutTicks: number;
  /** Wait before the next fetch after a failed or refused one (an answered fetch is followed
   * by the next at once: the leader holds caught-up fetches, so there is nothing to pace). */
  readonly fetchBackoffTicks: number;
  /**
   * KRaft's fetch max wait, in ticks: how long the leader holds a Fetch it has nothing new
   * for before answering it empty. New entries or a high watermark the fetcher does not know
   * yet answer it at once. Keep it well below the fetch and request timeouts: a held fetch
   * must be answered, and the answer travel back, long before the fetcher gives up on us.
   */
  readonly fetchMaxWaitTicks: number;
  readonly maxFetchEntries: number;
  readonly maxFetchBytes: number;
  readonly snapshotChunkBytes: number;
  readonly random: Random;
}

export type ProposeResult =
  | { readonly ok: true; readonly lastOffset: number }
  | {
      readonly ok: false;
      readonly error: 'NOT_LEADER' | 'TOO_MANY_UNCOMMITTED' | 'INVALID_PROPOSAL';
      readonly leaderId: number | null;
      readonly epoch: number;
    };

/**
 * The leader's view of one replica for DescribeQuorum (KIP-595, KIP-836). Ticks are the
 * core's clock (`now`); the driver turns them into wall-clock times.
 */
export interface ReplicaState {
  readonly nodeId: number;
  /** Log end the replica has proven it shares with the leader; -1 until known. */
  readonly logEndOffset: number;
  /** Tick of its last Fetch or FetchSnapshot in this epoch; null before the first. */
  readonly lastFetchTick: number | null;
  /** Last tick at which it held everything the leader held; null if never seen to. */
  readonly lastCaughtUpTick: number | null;
}

/** The leader's view of one voter, for metrics and tests. */
export interface FollowerState {
  readonly nodeId: number;
  /** Log end the voter has proven it shares with the leader; -1 until its first fetch. */
  readonly logEndOffset: number;
  /** Tick of its last valid Fetch or FetchSnapshot in this epoch. */
  readonly lastFetchTick: number;
}
