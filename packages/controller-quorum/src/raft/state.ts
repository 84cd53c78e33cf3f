/**
 * The mutable state one RaftCore owns, and the small helpers every handler shares. Handlers
 * live in election.ts, replication-*.ts, fetch-*.ts and snapshot.ts and take this object; transitions.ts
 * is the only place that changes role or epoch.
 */
import { assert } from '@rill/base';
import { EffectsBuffer } from './effects.js';
import type { RaftLog } from './log.js';
import type { FetchRequest, RaftMessage } from './messages.js';
import type { SnapshotDownload } from './snapshot-download.js';
import type { RaftEvent, RaftOptions, RaftRole } from './types.js';

/** One outstanding Fetch or FetchSnapshot: only its response is accepted. */
export interface InFlight {
  readonly correlationId: number;
  readonly sentTick: number;
  readonly to: number;
}

/** The fetcher of a follower, or of an observer looking for the leader. */
export interface Fetcher {
  inFlight: InFlight | null;
  nextFetchTick: number;
  download: SnapshotDownload | null;
}

/** What the leader knows of one replica that fetches from it (reported by DescribeQuorum). */
export interface ReplicaProgress {
  /** Log end this replica has proven it shares with us; -1 before its first valid fetch. */
  endOffset: number;
  /** Tick of its last Fetch or FetchSnapshot in this epoch; null before the first. */
  fetchedTick: number | null;
  /** Last tick at which it was known to hold everything we held (KIP-836); null if never. */
  caughtUpTick: number | null;
  /** Our log end when it last fetched entries: reaching it later means it had caught up then. */
  leaderEndAtLastFetch: number | null;
}

export interface VoterProgress extends ReplicaProgress {
  /** Check-quorum: starts at the election, so a new leader gives every voter a full timeout. */
  lastFetchTick: number;
  /** Last BeginQuorumEpoch sent to it, so retries are paced by the request timeout. */
  lastBeginTick: number;
}

/** A Fetch the leader holds until there is news for its sender (fetch-purgatory.ts). */
export interface HeldFetch {
  readonly request: FetchRequest;
  readonly sinceTick: number;
}

export function newReplicaProgress(): ReplicaProgress {
  return { endOffset: -1, fetchedTick: null, caughtUpTick: null, leaderEndAtLastFetch: null };
}

export type RoleState =
  | { readonly kind: 'unattached'; electionDeadline: number; readonly fetcher: Fetcher }
  | {
      readonly kind: 'follower';
      lastFetchSuccessTick: number;
      /**
       * Ticks without a successful fetch before this follower gives up on its leader: the
       * fetch timeout plus a random part, so that the followers of a leader that died do not
       * all campaign on the same tick and split the vote.
       */
      readonly patienceTicks: number;
      readonly fetcher: Fetcher;
    }
  | {
      readonly kind: 'prospective';
      readonly granted: Set<number>;
      readonly deadline: number;
      readonly retainedLeaderId: number | null;
    }
  | { readonly kind: 'candidate'; readonly granted: Set<number>; readonly deadline: number }
  | {
      readonly kind: 'leader';
      readonly progress: Map<number, VoterProgress>;
      /** Non-voters that fetched in this epoch, at most observersTrackedMax of them. */
      readonly observers: Map<number, ReplicaProgress>;
      /** Caught-up fetches waiting for news, by sender: at most heldFetchesMax. */
      readonly heldFetches: Map<number, HeldFetch>;
    };

export interface NodeState {
  readonly options: RaftOptions;
  readonly voters: ReadonlySet<number>;
  readonly isVoter: boolean;
  readonly log: RaftLog;
  readonly effects: EffectsBuffer;
  now: number;
  epoch: number;
  votedFor: number | null;
  leaderId: number | null;
  role: RoleState;
  /** Exclusive: every offset below it is committed. Never decreases while the node lives. */
  highWatermark: number;
  /** Next offset to hand to the state machine. */
  appliedOffset: number;
  nextCorrelationId: number;
}

export function majority(state: NodeState): number {
  return Math.floor(state.voters.size / 2) + 1;
}

export function roleOf(state: NodeState): RaftRole {
  return state.role.kind;
}

export function newFetcher(now: number): Fetcher {
  return { inFlight: null, nextFetchTick: now, download: null };
}

export function send(state: NodeState, message: RaftMessage): void {
  assert(message.from === state.options.nodeId, 'messages leave from this node');
  assert(message.to !== state.options.nodeId, 'no message to ourselves');
  state.effects.send(message);
}

export function emit(state: NodeState, kind: RaftEvent['kind'], reason: string): void {
  state.effects.event({
    kind,
    role: state.role.kind,
    epoch: state.epoch,
    leaderId: state.leaderId,
    reason,
  });
}

export function nextCorrelationId(state: NodeState): number {
  const id = state.nextCorrelationId;
  state.nextCorrelationId = id >= 0x7fff_ffff ? 0 : id + 1;
  return id;
}

/** A randomized election timer: [electionTimeoutTicks, 2 * electionTimeoutTicks). */
export function electionDeadline(state: NodeState): number {
  const base = state.options.electionTimeoutTicks;
  return state.now + base + state.options.random.between(0, base - 1);
}

export function otherVoters(state: NodeState): number[] {
  return [...state.voters].filter((id) => id !== state.options.nodeId);
}
