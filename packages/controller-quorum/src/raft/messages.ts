/**
 * The quorum's messages, in the shape of KIP-595's Vote, BeginQuorumEpoch, EndQuorumEpoch,
 * Fetch and FetchSnapshot (KIP-630), written for this core: plain JSON-like objects the driver
 * maps to protobuf. Every message names its sender and receiver. Responses carry the
 * responder's epoch and the leader it knows, so a stale node catches up from any answer.
 */
import type { Entry, SnapshotId } from './types.js';

/** Kafka's error names for the cases the quorum answers; the driver maps them to codes. */
export const raftErrors = [
  'NONE',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'NOT_LEADER_OR_FOLLOWER',
  'INCONSISTENT_VOTER_SET',
  'SNAPSHOT_NOT_FOUND',
  'POSITION_OUT_OF_RANGE',
] as const;
export type RaftError = (typeof raftErrors)[number];

interface Envelope {
  readonly from: number;
  readonly to: number;
}

/** Responses say who the responder thinks leads, in which epoch (Kafka's currentLeader). */
interface ResponseEnvelope extends Envelope {
  readonly error: RaftError;
  readonly epoch: number;
  readonly leaderId: number | null;
}

/**
 * A request for a vote. With `preVote` (KIP-996) `epoch` is the epoch the sender would
 * campaign at, and granting changes nothing on the receiver. The log position is the
 * sender's last entry: its epoch and the log end offset.
 */
export interface VoteRequest extends Envelope {
  readonly kind: 'VoteRequest';
  readonly epoch: number;
  readonly preVote: boolean;
  readonly lastEpoch: number;
  readonly logEndOffset: number;
}

export interface VoteResponse extends ResponseEnvelope {
  readonly kind: 'VoteResponse';
  readonly preVote: boolean;
  readonly voteGranted: boolean;
}

/** A new leader announces itself so voters stop waiting for their election timers. */
export interface BeginQuorumEpochRequest extends Envelope {
  readonly kind: 'BeginQuorumEpochRequest';
  readonly epoch: number;
  readonly leaderId: number;
}

export interface BeginQuorumEpochResponse extends ResponseEnvelope {
  readonly kind: 'BeginQuorumEpochResponse';
}

/** A leader stepping down gracefully; successors in order of preference campaign first. */
export interface EndQuorumEpochRequest extends Envelope {
  readonly kind: 'EndQuorumEpochRequest';
  readonly epoch: number;
  readonly leaderId: number;
  readonly preferredSuccessors: readonly number[];
}

export interface EndQuorumEpochResponse extends ResponseEnvelope {
  readonly kind: 'EndQuorumEpochResponse';
}

/**
 * Pull replication: "my log ends at fetchOffset, its last entry has lastFetchedEpoch, and I
 * know everything below highWatermark is committed". The correlation id is echoed so a late
 * or duplicated response is recognised and ignored. The leader holds a fetch it has nothing
 * new for (long polling); the fetcher's high watermark tells it when it has, as in KIP-1166.
 */
export interface FetchRequest extends Envelope {
  readonly kind: 'FetchRequest';
  readonly correlationId: number;
  readonly epoch: number;
  readonly fetchOffset: number;
  readonly lastFetchedEpoch: number;
  readonly highWatermark: number;
  readonly maxBytes: number;
}

/** Where the follower's log stops agreeing with the leader's: truncate there and refetch. */
export interface DivergingEpoch {
  readonly epoch: number;
  readonly endOffset: number;
}

/**
 * At most one of `entries` (non-empty), `divergingEpoch` and `snapshotId` says what to do;
 * with none the follower is caught up. `snapshotId` means the leader's log starts above the
 * fetch offset: switch to FetchSnapshot.
 */
export interface FetchResponse extends ResponseEnvelope {
  readonly kind: 'FetchResponse';
  readonly correlationId: number;
  readonly highWatermark: number;
  readonly entries: readonly Entry[];
  readonly divergingEpoch: DivergingEpoch | null;
  readonly snapshotId: SnapshotId | null;
}

export interface FetchSnapshotRequest extends Envelope {
  readonly kind: 'FetchSnapshotRequest';
  readonly correlationId: number;
  readonly epoch: number;
  readonly snapshotId: SnapshotId;
  readonly position: number;
  readonly maxBytes: number;
}

/** One chunk of a snapshot: bytes [position, position + chunk.length) of `size`. */
export interface FetchSnapshotResponse extends ResponseEnvelope {
  readonly kind: 'FetchSnapshotResponse';
  readonly correlationId: number;
  readonly snapshotId: SnapshotId;
  readonly size: number;
  readonly position: number;
  readonly chunk: Buffer;
}

export type RaftRequest =
  | VoteRequest
  | BeginQuorumEpochRequest
  | EndQuorumEpochRequest
  | FetchRequest
  | FetchSnapshotRequest;
export type RaftResponse =
  | VoteResponse
  | BeginQuorumEpochResponse
  | EndQuorumEpochResponse
  | FetchResponse
  | FetchSnapshotResponse;
export type RaftMessage = RaftRequest | RaftResponse;
export type RaftMessageKind = RaftMessage['kind'];
