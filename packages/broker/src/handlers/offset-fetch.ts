import { ErrorCode, OffsetFetch } from '@rill/protocol';
import { defineHandler } from './handler.js';

/**
 * OffsetFetch v1–5. Partitions without a committed offset answer -1. A group-level error
 * (not the coordinator, still loading) goes in the top-level error code from v2; v1 has
 * none, so there it is repeated on every requested partition, as Kafka does.
 */
export const offsetFetchHandler = defineHandler({
  schema: OffsetFetch,
  minVersion: 1,
  maxVersion: 5,
  handle(request, context) {
    const wanted = request.topics?.map((t) => ({ topic: t.name, partitions: t.partitionIndexes })) ?? null;
    const fetched = context.services.groups.fetchOffsets(request.groupId, wanted);
    if (fetched.errorCode !== ErrorCode.NONE && context.apiVersion < 2) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        topics: (wanted ?? []).map(({ topic, partitions }) => ({
          name: topic,
          partitions: partitions.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: fetched.errorCode })),
        })),
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: fetched.errorCode,
      topics: fetched.topics.map(({ topic, partitions }) => ({
        name: topic,
        partitions: partitions.map((p) => ({
          partitionIndex: p.partition,
          committedOffset: p.offset,
          committedLeaderEpoch: -1,
          metadata: p.metadata,
          errorCode: p.errorCode,
        })),
      })),
    };
  },
});
