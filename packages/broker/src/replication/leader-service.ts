import { ErrorCode } from '@rill/protocol';
import { readWhenEnough } from '../partitions/fetch-purgatory.js';
import type { Partition } from '../partitions/partition.js';
import type { PartitionManager } from '../partitions/partition-manager.js';
import type {
  EpochAnswer,
  FetchedPartition,
  OffsetForLeaderEpochRequest,
  PartitionRef,
  ReplicaFetchRequest,
  ReplicaFetchResponse,
} from './replication-rpc.js';

export interface LeaderServiceOptions {
  readonly partitions: PartitionManager;
  /** Largest reply; the first batch still goes whole (KIP-74) and must fit a gRPC message. */
  readonly responseBytesMax: number;
  /** A follower's fetch position moved: the ISR may want to grow. */
  readonly followerFetched: (partition: Partition) => void;
  /** The broker epoch of the follower's incarnation; null when it is not the registered one. */
  readonly brokerEpochOf: (replicaId: number, incarnationId: string) => number | null;
}

/**
 * The leader's side of replication. A fetch first records each follower's position (its
 * fetch offset is its log end offset, which may move the high watermark), then long-polls
 * until there is data to send. Followers read up to the log end, not the high watermark:
 * that is how the data gets replicated at all.
 */
export async function serveReplicaFetch(request: ReplicaFetchRequest, options: LeaderServiceOptions): Promise<ReplicaFetchResponse> {
  const brokerEpoch = options.brokerEpochOf(request.replicaId, request.incarnationId);
  if (brokerEpoch === null) {
    return { partitions: request.partitions.map((p) => refused(p.ref, ErrorCode.STALE_BROKER_EPOCH)) };
  }
  const nowMs = Date.now();
  for (const wanted of request.partitions) {
    const found = leaderFor(wanted.ref, wanted.currentLeaderEpoch, options.partitions);
    if (found.errorCode !== ErrorCode.NONE || found.partition === null) continue;
    const { partition } = found;
    const leader = partition.leader;
    if (leader === null || wanted.fetchOffset < partition.logStartOffset || wanted.fetchOffset > partition.logEndOffset) continue;
    partition.followerFetched(leader, request.replicaId, wanted.fetchOffset, nowMs, { leaderEpoch: wanted.currentLeaderEpoch, brokerEpoch });
    options.followerFetched(partition);
  }
  const result = await readWhenEnough({
    purgatory: options.partitions.replicaFetches,
    keys: request.partitions.map((p) => `${p.ref.topic}-${p.ref.partition}`),
    minBytes: Math.max(1, request.minBytes),
    maxWaitMs: request.maxWaitMs,
    read: () => readAll(request, options),
  });
  return { partitions: result.partitions };
}

function readAll(request: ReplicaFetchRequest, options: LeaderServiceOptions): { partitions: FetchedPartition[]; bytes: number; done: boolean } {
  let budget = Math.min(request.maxBytes, options.responseBytesMax);
  let bytes = 0;
  let done = false;
  const partitions = request.partitions.map((wanted): FetchedPartition => {
    const found = leaderFor(wanted.ref, wanted.currentLeaderEpoch, options.partitions);
    if (found.partition === null || found.errorCode !== ErrorCode.NONE) {
      done = true;
      return refused(wanted.ref, found.errorCode);
    }
    const { partition } = found;
    const answer = (errorCode: number, records: Buffer): FetchedPartition => ({
      ref: wanted.ref,
      errorCode,
      highWatermark: partition.highWatermark,
      logStartOffset: partition.logStartOffset,
      logEndOffset: partition.logEndOffset,
      records,
    });
    const maxBytes = Math.min(budget, request.partitionMaxBytes);
    // Only the first partition with data may exceed the budget (its first batch, KIP-74);
    // later ones do not even read a batch that would not fit.
    if (maxBytes <= 0 && bytes > 0) return answer(ErrorCode.NONE, empty);
    const read = partition.log.read(wanted.fetchOffset, { maxBytes: Math.max(1, maxBytes), minOneBatch: bytes === 0 });
    if (read.kind === 'outOfRange') {
      done = true;
      return answer(ErrorCode.OFFSET_OUT_OF_RANGE, empty);
    }
    bytes += read.records.length;
    budget = Math.max(0, budget - read.records.length);
    return answer(ErrorCode.NONE, read.records);
  });
  return { partitions, bytes, done };
}

/** OffsetForLeaderEpoch (KIP-101/279): where the leader's log for an epoch ends. */
export function serveOffsetForLeaderEpoch(request: OffsetForLeaderEpochRequest, partitions: PartitionManager): { partitions: EpochAnswer[] } {
  return {
    partitions: request.partitions.map((query): EpochAnswer => {
      const found = leaderFor(query.ref, query.currentLeaderEpoch, partitions);
      if (found.partition === null || found.errorCode !== ErrorCode.NONE) {
        return { ref: query.ref, errorCode: found.errorCode, leaderEpoch: -1, endOffset: -1 };
      }
      const { epoch, endOffset } = found.partition.epochs.endOffsetFor(query.leaderEpoch, found.partition.logEndOffset);
      return { ref: query.ref, errorCode: ErrorCode.NONE, leaderEpoch: epoch, endOffset };
    }),
  };
}

/**
 * This broker's replica of `ref` if it leads it at the epoch the follower names. An older
 * epoch is a follower that missed a change (FENCED_LEADER_EPOCH); a newer one means we
 * have not seen the change yet (UNKNOWN_LEADER_EPOCH).
 */
function leaderFor(ref: PartitionRef, followerEpoch: number, partitions: PartitionManager): { partition: Partition | null; errorCode: number } {
  const partition = partitions.get(ref.topic, ref.partition);
  if (partition === undefined) return { partition: null, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
  if (partition.topicId !== ref.topicId) return { partition: null, errorCode: ErrorCode.UNKNOWN_TOPIC_ID };
  const leader = partition.leader;
  if (leader === null) {
    if (followerEpoch > partition.leaderEpoch) return { partition: null, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH };
    return { partition: null, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
  }
  if (followerEpoch < leader.leaderEpoch) return { partition: null, errorCode: ErrorCode.FENCED_LEADER_EPOCH };
  if (followerEpoch > leader.leaderEpoch) return { partition: null, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH };
  return { partition, errorCode: ErrorCode.NONE };
}

function refused(ref: PartitionRef, errorCode: number): FetchedPartition {
  return { ref, errorCode, highWatermark: -1, logStartOffset: -1, logEndOffset: -1, records: empty };
}

const empty = Buffer.alloc(0);
