/** Inputs and outputs of the group coordinator core (coordinator-core.ts). */
import type { Random } from '@rill/base';
import type { EncodedRecord } from './group-records.js';
import type { Protocol } from './group.js';

/** The time a step happens: monotonic for timers, wall clock for what is stored. */
export interface Now {
  readonly nowMs: number;
  readonly wallMs: number;
}

export interface CoreOptions {
  readonly random: Random;
  /** group.initial.rebalance.delay.ms */
  readonly initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms and group.max.session.timeout.ms */
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  /** group.max.size */
  readonly groupMaxSize: number;
  /** How long a new member's JoinGroup may wait before it is dropped (Kafka: 5 minutes). */
  readonly newMemberJoinTimeoutMs: number;
  /** offsets.retention.minutes, in ms */
  readonly offsetRetentionMs: number;
  /** offset.metadata.max.bytes */
  readonly offsetMetadataMaxBytes: number;
  /** The largest group metadata record the offsets topic takes (its max message size). */
  readonly recordBytesMax: number;
  /** Bounds on what clients can make the coordinator hold (limits.ts). */
  readonly groupsMax: number;
  readonly membersMax: number;
  readonly protocolsPerMemberMax: number;
  readonly memberProtocolBytesMax: number;
  /** Protocol metadata and assignment bytes held over all members. */
  readonly heldBytesMax: number;
  /** A line per notable event (transitions, members coming and going), for logs and transcripts. */
  readonly trace?: (line: string) => void;
}

interface GroupScoped {
  readonly requestId: number;
  /** The __consumer_offsets partition of the group, computed by the driver. */
  readonly partition: number;
  readonly groupId: string;
}

export interface JoinRequest extends GroupScoped {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly Protocol[];
  /** JoinGroup v4+: an unknown member first gets a member id (KIP-394). */
  readonly requireKnownMemberId: boolean;
}

export interface JoinMember {
  readonly memberId: string;
  readonly metadata: Buffer;
}

export interface JoinResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leaderId: string;
  readonly memberId: string;
  /** Every member's metadata, for the leader only. */
  readonly members: readonly JoinMember[];
}

export interface SyncRequest extends GroupScoped {
  readonly generationId: number;
  readonly memberId: string;
  readonly assignments: readonly { readonly memberId: string; readonly assignment: Buffer }[];
}

export interface SyncResult {
  readonly errorCode: number;
  readonly assignment: Buffer;
}

export interface HeartbeatRequest extends GroupScoped {
  readonly generationId: number;
  readonly memberId: string;
}

export interface LeaveRequest extends GroupScoped {
  readonly memberId: string;
}

export interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

export interface CommitRequest extends GroupScoped {
  readonly generationId: number;
  readonly memberId: string;
  /** OffsetCommit v2–4 retention_time_ms; -1 for the broker's retention. */
  readonly retentionTimeMs: number;
  readonly offsets: readonly OffsetToCommit[];
}

export interface DeleteRequest {
  readonly requestId: number;
  readonly partition: number;
  readonly groupIds: readonly string[];
}

export interface GroupResult {
  readonly groupId: string;
  readonly errorCode: number;
}

/** An answer to a request, drained by the driver and sent to whoever asked. */
export type Reply =
  | { readonly kind: 'join'; readonly requestId: number; readonly result: JoinResult }
  | { readonly kind: 'sync'; readonly requestId: number; readonly result: SyncResult }
  | { readonly kind: 'heartbeat'; readonly requestId: number; readonly errorCode: number }
  | { readonly kind: 'leave'; readonly requestId: number; readonly errorCode: number }
  /** One error code per offset of the request, in order. */
  | { readonly kind: 'commit'; readonly requestId: number; readonly errorCodes: readonly number[] }
  | { readonly kind: 'delete'; readonly requestId: number; readonly results: readonly GroupResult[] };

/**
 * Records for the leader of one __consumer_offsets partition to append with acks=all; the
 * driver reports the outcome with `appended(appendId, errorCode)`.
 */
export interface AppendRequest {
  readonly appendId: number;
  readonly partition: number;
  /** The leader epoch the partition was loaded at: an append for an older one must fail. */
  readonly loadEpoch: number;
  readonly records: readonly EncodedRecord[];
}

export interface CoreEffects {
  readonly replies: Reply[];
  readonly appends: AppendRequest[];
}

export interface FetchedPartition {
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string;
  readonly errorCode: number;
}

export interface FetchedOffsets {
  readonly errorCode: number;
  readonly topics: readonly { readonly topic: string; readonly partitions: readonly FetchedPartition[] }[];
}

export interface GroupDescription {
  readonly errorCode: number;
  readonly groupId: string;
  readonly state: string;
  readonly protocolType: string;
  readonly protocolName: string;
  readonly members: readonly {
    readonly memberId: string;
    readonly clientId: string;
    readonly clientHost: string;
    readonly metadata: Buffer;
    readonly assignment: Buffer;
  }[];
}

export interface GroupListing {
  readonly errorCode: number;
  readonly groups: readonly { readonly groupId: string; readonly protocolType: string }[];
}
