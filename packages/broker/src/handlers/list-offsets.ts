import { ErrorCode, ListOffsets, type ListOffsetsResponseInput } from '@rill/protocol';
import type { Partition } from '../partitions/partition.js';
import { defineHandler, type RequestContext } from './handler.js';

type PartitionResponse = ListOffsetsResponseInput['topics'][number]['partitions'][number];

const latestTimestamp = -1;
const earliestTimestamp = -2;

/**
 * ListOffsets v1–3, answered by partition leaders: latest (-1) is the high watermark (also
 * the last stable offset: there are no transactions), earliest (-2) the log start, any other
 * value the first offset whose timestamp is at least that. A new leader whose high watermark
 * has not yet reached the start of its epoch answers OFFSET_NOT_AVAILABLE, as Kafka does:
 * its high watermark may still be below one its predecessor already gave out.
 */
export const listOffsetsHandler = defineHandler({
  schema: ListOffsets,
  minVersion: 1,
  maxVersion: 3,
  handle(request, context) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => lookUp(topic.name, p.partitionIndex, p.timestamp, context)),
      })),
    };
  },
});

function lookUp(topicName: string, index: number, timestamp: number, context: RequestContext): PartitionResponse {
  const { metadata, partitions } = context.services;
  const topic = metadata.current().topics.get(topicName);
  if (topic === undefined || index < 0 || index >= topic.partitions.length) {
    return answer(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
  }
  const partition = partitions.get(topicName, index);
  const leader = partition?.leader ?? null;
  if (partition === undefined || leader === null) return answer(index, ErrorCode.NOT_LEADER_OR_FOLLOWER, -1, -1);
  if (timestamp !== earliestTimestamp && leader.highWatermark < leader.leaderEpochStartOffset) return answer(index, ErrorCode.OFFSET_NOT_AVAILABLE, -1, -1);
  return answer(index, ErrorCode.NONE, -1, offsetFor(partition, timestamp));
}

function offsetFor(partition: Partition, timestamp: number): number {
  if (timestamp === latestTimestamp) return partition.highWatermark;
  if (timestamp === earliestTimestamp) return partition.logStartOffset;
  const found = partition.log.offsetForTimestamp(timestamp);
  return found === null || found >= partition.highWatermark ? -1 : found;
}

function answer(partitionIndex: number, errorCode: number, timestamp: number, offset: number): PartitionResponse {
  return { partitionIndex, errorCode, timestamp, offset };
}
