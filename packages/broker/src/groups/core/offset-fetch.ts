/** OffsetFetch: a group's committed offsets, read from memory. */
import { ErrorCode } from '@rill/protocol';
import type { FetchedOffsets } from '../core-types.js';
import type { OffsetsByTopic } from '../group.js';
import type { CoordinatorState } from './core-state.js';

/** Committed offsets; `topics` null asks for all of them (OffsetFetch v2+). */
export function fetchOffsets(
  state: CoordinatorState,
  partition: number,
  groupId: string,
  topics: readonly { topic: string; partitions: readonly number[] }[] | null,
): FetchedOffsets {
  const status = state.groupStatus(partition, groupId, false);
  if (status !== ErrorCode.NONE) return { errorCode: status, topics: [] };
  const group = state.groups.get(groupId);
  if (topics === null) {
    const committed: OffsetsByTopic = group?.offsets ?? new Map();
    const all = [...committed].map(([topic, byPartition]) => ({
      topic,
      partitions: [...byPartition].map(([p, v]) => ({ partition: p, offset: v.offset, metadata: v.metadata, errorCode: ErrorCode.NONE })),
    }));
    return { errorCode: ErrorCode.NONE, topics: all };
  }
  return {
    errorCode: ErrorCode.NONE,
    topics: topics.map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.map((p) => {
        const value = group?.offset(topic, p);
        return { partition: p, offset: value?.offset ?? -1, metadata: value?.metadata ?? '', errorCode: ErrorCode.NONE };
      }),
    })),
  };
}
