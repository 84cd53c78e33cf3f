import { ErrorCode, OffsetCommit, type OffsetCommitResponseInput } from '@rill/protocol';
import type { OffsetToCommit } from '../groups/core-types.js';
import { defineHandler } from './handler.js';

type TopicResponse = OffsetCommitResponseInput['topics'][number];

/**
 * OffsetCommit v2–5 (v7 brings group.instance.id; v0–1 no client in scope needs). Partitions
 * of topics the cluster does not have get UNKNOWN_TOPIC_OR_PARTITION, as Kafka answers;
 * the rest go to the coordinator, which answers once the commit is replicated.
 */
export const offsetCommitHandler = defineHandler({
  schema: OffsetCommit,
  minVersion: 2,
  maxVersion: 5,
  async handle(request, context) {
    const { groups, metadata } = context.services;
    const topics = metadata.current().topics;
    const valid: OffsetToCommit[] = [];
    const answers: { name: string; partitions: { partitionIndex: number; errorCode: number; slot: number }[] }[] = [];
    for (const topic of request.topics) {
      const known = topics.get(topic.name);
      answers.push({
        name: topic.name,
        partitions: topic.partitions.map((p) => {
          const exists = known !== undefined && p.partitionIndex >= 0 && p.partitionIndex < known.partitions.length;
          if (!exists) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, slot: -1 };
          valid.push({ topic: topic.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata });
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, slot: valid.length - 1 };
        }),
      });
    }
    const errorCodes = valid.length === 0 ? [] : await groups.commitOffsets({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      retentionTimeMs: context.apiVersion <= 4 ? request.retentionTimeMs : -1,
      offsets: valid,
    });
    const responseTopics: TopicResponse[] = answers.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: p.slot >= 0 ? errorCodes[p.slot]! : p.errorCode,
      })),
    }));
    return { throttleTimeMs: 0, topics: responseTopics };
  },
});
