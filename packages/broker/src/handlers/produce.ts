import { controlBit, ErrorCode, Produce, transactionalBit, validateBatches, type BatchHeader, type ProduceResponseInput } from '@rill/protocol';
import { StorageError } from '@rill/storage';
import { isInternalTopic } from '../metadata/internal-topics.js';
import { maxMessageBytesFor } from '../partitions/log-config.js';
import type { Partition } from '../partitions/partition.js';
import { defineHandler, noResponse, type RequestContext } from './handler.js';

type PartitionResponse = ProduceResponseInput['responses'][number]['partitionResponses'][number];

/**
 * Produce v3–7 (v0–2 are advertised only, see ApiHandler.advertisedMinVersion). Each
 * partition's records must be exactly one valid magic-2 batch; the partition leader appends
 * it verbatim with offsets assigned in its header. acks=1 is answered after that append;
 * acks=all first needs min.insync.replicas in the ISR, then waits until the high watermark
 * passes the batch; acks=0 gets no response at all. An idempotent producer's batch is checked
 * against its sequence first: a retry of one of its last five batches is answered with the
 * original offsets (and, for acks=all, when the high watermark passes the original), never
 * appended twice.
 */
export const produceHandler = defineHandler({
  schema: Produce,
  minVersion: 3,
  maxVersion: 7,
  advertisedMinVersion: 0,
  handle(request, context) {
    const acks = request.acks;
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const waits: Promise<unknown>[] = [];
    const responses = request.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((data) => {
        if (!validAcks) return failed(data.index, ErrorCode.INVALID_REQUIRED_ACKS);
        const appended = appendPartition(topic.name, data.index, data.records, acks, context);
        if (acks !== -1 || appended.partition === null) return appended.response;
        const response = { ...appended.response };
        const parked = context.services.partitions.produces.park(appended.partition, appended.requiredOffset, request.timeoutMs);
        waits.push(parked.then((errorCode) => {
          if (errorCode !== ErrorCode.NONE) Object.assign(response, failed(data.index, errorCode));
        }));
        return response;
      }),
    }));
    if (acks === 0) return noResponse;
    if (waits.length === 0) return { responses, throttleTimeMs: 0 };
    return Promise.all(waits).then(() => ({ responses, throttleTimeMs: 0 }));
  },
});

interface Appended {
  readonly response: PartitionResponse;
  /** Set when the batch was appended, so acks=all has something to wait for. */
  readonly partition: Partition | null;
  /** The high watermark that covers the batch: its last offset + 1. */
  readonly requiredOffset: number;
}

function appendPartition(topicName: string, index: number, records: Buffer | null, acks: number, context: RequestContext): Appended {
  const refuse = (errorCode: number): Appended => ({ response: failed(index, errorCode), partition: null, requiredOffset: -1 });
  const { metadata, partitions, config, metrics, logger } = context.services;
  const topic = metadata.current().topics.get(topicName);
  if (topic === undefined || index < 0 || index >= topic.partitions.length) {
    return refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  // Only the broker writes its internal topics (group state lives in __consumer_offsets).
  if (isInternalTopic(topicName)) return refuse(ErrorCode.INVALID_TOPIC_EXCEPTION);
  const partition = partitions.get(topicName, index);
  const leader = partition?.leader ?? null;
  // A broker whose controller session may have lapsed may already be replaced (I11).
  if (partition === undefined || leader === null || !context.services.mayAcknowledge()) {
    return refuse(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  }
  if (records === null || records.length === 0) return refuse(ErrorCode.INVALID_RECORD);
  const validation = validateBatches(records, { maxBatchBytes: maxMessageBytesFor(config, topic.configs) });
  if (!validation.ok) return refuse(validation.error);
  if (validation.batchCount !== 1) return refuse(ErrorCode.INVALID_RECORD);
  const header = validation.batches[0]!.header;
  const fault = clientBatchFault(header);
  if (fault !== null) return refuse(fault);
  const acksAllRefusal = acks === -1 ? leader.checkAcksAll() : ErrorCode.NONE;
  if (acksAllRefusal !== ErrorCode.NONE) return refuse(acksAllRefusal);
  const verdict = partition.checkProducer(header);
  if (verdict.kind === 'refuse') {
    logger.debug({ partition: partition.key, errorCode: verdict.errorCode, reason: verdict.reason }, 'producer batch refused');
    return refuse(verdict.errorCode);
  }
  if (verdict.kind === 'duplicate') {
    metrics.produceDuplicates.inc({ topic: topicName });
    const response = { index, errorCode: ErrorCode.NONE, baseOffset: verdict.firstOffset, logAppendTimeMs: -1, logStartOffset: partition.logStartOffset };
    return { response, partition, requiredOffset: verdict.lastOffset + 1 };
  }
  try {
    const info = partition.appendAsLeader(records, leader);
    metrics.topicBytesIn.inc({ topic: topicName }, records.length);
    metrics.topicRecordsIn.inc({ topic: topicName }, info.recordCount);
    const response = {
      index,
      errorCode: ErrorCode.NONE,
      baseOffset: info.baseOffset,
      logAppendTimeMs: -1,
      logStartOffset: partition.logStartOffset,
    };
    return { response, partition, requiredOffset: info.lastOffset + 1 };
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    logger.error({ err: error, partition: partition.key }, 'append failed; the batch was not written');
    return refuse(ErrorCode.KAFKA_STORAGE_ERROR);
  }
}

/**
 * Kafka's LogValidator rules on producer fields: clients may not write control batches, and
 * an idempotent batch needs a sequence (both INVALID_RECORD). Transactions are not served:
 * a transactional batch gets UNSUPPORTED_FOR_MESSAGE_FORMAT, Kafka's answer when the
 * broker's format cannot hold transactional records.
 */
function clientBatchFault(header: BatchHeader): ErrorCode | null {
  if ((header.attributes & controlBit) !== 0) return ErrorCode.INVALID_RECORD;
  if (header.producerId >= 0 && header.baseSequence < 0) return ErrorCode.INVALID_RECORD;
  if ((header.attributes & transactionalBit) !== 0) return ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT;
  return null;
}

function failed(index: number, errorCode: number): PartitionResponse {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
}
