import { ErrorCode, Produce, validateBatches, type ProduceResponseInput } from '@rill/protocol';
import { StorageError } from '@rill/storage';
import { maxMessageBytesFor } from '../partitions/log-config.js';
import { defineHandler, noResponse, type RequestContext } from './handler.js';

type PartitionResponse = ProduceResponseInput['responses'][number]['partitionResponses'][number];

/**
 * Produce v3–7 (v0–2 are advertised only, see ApiHandler.advertisedMinVersion). Each
 * partition's records must be exactly one valid magic-2 batch; it is appended verbatim with
 * offsets assigned in its header. acks=0 gets no response at all.
 */
export const produceHandler = defineHandler({
  schema: Produce,
  minVersion: 3,
  maxVersion: 7,
  advertisedMinVersion: 0,
  handle(request, context) {
    const acks = request.acks;
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const responses = request.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((data) =>
        validAcks
          ? appendPartition(topic.name, data.index, data.records, context)
          : failed(data.index, ErrorCode.INVALID_REQUIRED_ACKS),
      ),
    }));
    if (acks === 0) return noResponse;
    return { responses, throttleTimeMs: 0 };
  },
});

function appendPartition(topicName: string, index: number, records: Buffer | null, context: RequestContext): PartitionResponse {
  const { metadata, partitions, config, metrics, logger } = context.services;
  const topic = metadata.current().topics.get(topicName);
  if (topic === undefined || index < 0 || index >= topic.partitions.length) {
    return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  const partition = partitions.get(topicName, index);
  if (partition === undefined || topic.partitions[index]!.leader !== context.services.nodeId) {
    return failed(index, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  }
  if (records === null || records.length === 0) return failed(index, ErrorCode.INVALID_RECORD);
  const validation = validateBatches(records, { maxBatchBytes: maxMessageBytesFor(config, topic.configs) });
  if (!validation.ok) return failed(index, validation.error);
  if (validation.batchCount !== 1) return failed(index, ErrorCode.INVALID_RECORD);
  try {
    const info = partition.appendAsLeader(records);
    metrics.topicBytesIn.inc({ topic: topicName }, records.length);
    metrics.topicRecordsIn.inc({ topic: topicName }, info.recordCount);
    return {
      index,
      errorCode: ErrorCode.NONE,
      baseOffset: info.baseOffset,
      logAppendTimeMs: -1,
      logStartOffset: partition.logStartOffset,
    };
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    logger.error({ err: error, partition: partition.key }, 'append failed; the batch was not written');
    return failed(index, ErrorCode.KAFKA_STORAGE_ERROR);
  }
}

function failed(index: number, errorCode: number): PartitionResponse {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
}
