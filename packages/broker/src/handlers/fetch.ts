import { ErrorCode, Fetch, type FetchRequest, type FetchResponseInput } from '@rill/protocol';
import { fetchResponseBytesMax } from '../limits.js';
import { readWhenEnough } from '../partitions/fetch-purgatory.js';
import { partitionKey } from '../partitions/partition.js';
import { defineHandler, type RequestContext } from './handler.js';

type PartitionResponse = FetchResponseInput['responses'][number]['partitions'][number];

interface FetchRound {
  readonly responses: FetchResponseInput['responses'];
  readonly bytes: number;
  /** A partition answered with an error: the client must act on it now. */
  readonly done: boolean;
}

/**
 * Fetch v4–11 for consumers, sessionless (session id 0), served by partition leaders only.
 * Whole batches up to the high watermark; the first batch is returned whole even above the
 * byte limits (KIP-74). Below min_bytes the request waits in the purgatory for the high
 * watermark to move, up to max_wait_ms.
 */
export const fetchHandler = defineHandler({
  schema: Fetch,
  minVersion: 4,
  maxVersion: 11,
  respondInPieces: true,
  handle(request, context) {
    const buffers = context.services.readBuffers.lease();
    context.onResponseWritten(() => buffers.release());
    const round = readRound(request, context, buffers.allocate);
    if (round.bytes >= request.minBytes || request.maxWaitMs <= 0 || round.done) return answer(round);
    return readWhenEnough({
      purgatory: context.services.partitions.consumerFetches,
      keys: request.topics.flatMap((t) => t.partitions.map((p) => partitionKey(t.topic, p.partition))),
      minBytes: request.minBytes,
      maxWaitMs: request.maxWaitMs,
      first: round,
      read: () => {
        // Each read replaces the one before, whose buffers nothing refers to any more.
        buffers.release();
        return readRound(request, context, buffers.allocate);
      },
    }).then(answer);
  },
});

function answer(round: FetchRound): FetchResponseInput {
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: round.responses };
}

function readRound(request: FetchRequest, context: RequestContext, allocate: (bytes: number) => Buffer): FetchRound {
  let budget = Math.min(Math.max(request.maxBytes, 0), fetchResponseBytesMax);
  let bytes = 0;
  let anyError = false;
  const responses = request.topics.map((topic) => ({
    topic: topic.topic,
    partitions: topic.partitions.map((wanted) => {
      const response = readPartition(topic.topic, wanted, Math.min(budget, wanted.partitionMaxBytes), bytes > 0, context, allocate);
      const size = response.records?.length ?? 0;
      bytes += size;
      budget = Math.max(0, budget - size);
      if (response.errorCode !== ErrorCode.NONE) anyError = true;
      return response;
    }),
  }));
  return { responses, bytes, done: anyError };
}

function readPartition(
  topicName: string,
  wanted: FetchRequest['topics'][number]['partitions'][number],
  maxBytes: number,
  responseHasData: boolean,
  context: RequestContext,
  allocate: (bytes: number) => Buffer,
): PartitionResponse {
  const { metadata, partitions, metrics } = context.services;
  const index = wanted.partition;
  const topic = metadata.current().topics.get(topicName);
  if (topic === undefined || index < 0 || index >= topic.partitions.length) {
    return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  const partition = partitions.get(topicName, index);
  const leader = partition?.leader ?? null;
  if (partition === undefined || leader === null) return failed(index, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  // KIP-320: a consumer that knows a newer epoch must wait for us; an older one must refresh.
  if (wanted.currentLeaderEpoch >= 0 && wanted.currentLeaderEpoch !== leader.leaderEpoch) {
    return failed(index, wanted.currentLeaderEpoch < leader.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH);
  }
  const highWatermark = leader.highWatermark;
  const answer = (errorCode: number, records: Buffer | null): PartitionResponse => ({
    partitionIndex: index,
    errorCode,
    highWatermark,
    lastStableOffset: highWatermark,
    logStartOffset: partition.logStartOffset,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records,
  });
  if (wanted.fetchOffset < partition.logStartOffset || wanted.fetchOffset > partition.log.logEndOffset) {
    return answer(ErrorCode.OFFSET_OUT_OF_RANGE, null);
  }
  // Only the first partition with data may exceed the byte limit (its first batch, KIP-74);
  // later ones do not even read a batch that would not fit.
  if (maxBytes <= 0 && responseHasData) return answer(ErrorCode.NONE, emptyRecords);
  const read = partition.log.read(wanted.fetchOffset, {
    maxBytes: Math.max(maxBytes, 1),
    upTo: highWatermark,
    minOneBatch: !responseHasData,
    allocate,
  });
  if (read.kind === 'outOfRange') return answer(ErrorCode.OFFSET_OUT_OF_RANGE, null);
  if (read.records.length > 0) {
    metrics.topicBytesOut.inc({ topic: topicName }, read.records.length);
    metrics.topicRecordsOut.inc({ topic: topicName }, read.nextOffset - read.firstOffset);
  }
  return answer(ErrorCode.NONE, read.records);
}

const emptyRecords = Buffer.alloc(0);

function failed(index: number, errorCode: number): PartitionResponse {
  return {
    partitionIndex: index,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: null,
  };
}
