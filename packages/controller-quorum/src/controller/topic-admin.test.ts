import { ErrorCode } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import { clusterOf, partitionRecord, replayed, topicIdFor } from '../metadata/testing/fixtures.js';
import { createPartitions } from './create-partitions.js';
import { deleteTopics } from './delete-topics.js';
import { allocateProducerIds } from './producer-ids.js';

const topicId = topicIdFor(1);
const image = replayed(clusterOf(3), [
  { type: 'topic', name: 't', topicId },
  partitionRecord(topicId, 0, [1, 2]),
  { type: 'config', resourceType: 'topic', resourceName: 't', key: 'retention.ms', value: '5' },
]);

describe('deleteTopics', () => {
  it('removes known topics with their configs and names the unknown ones', () => {
    const result = deleteTopics(image, ['t', 'nope']);
    expect(result.response.map((r) => r.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    const next = replayed(image, result.records);
    expect(next.topics.byName.has('t')).toBe(false);
    expect(next.configs.topic.has('t')).toBe(false);
  });

  it('refuses a name given twice', () => {
    expect(deleteTopics(image, ['t', 't']).response.map((r) => r.errorCode)).toEqual([
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
    ]);
  });
});

describe('createPartitions', () => {
  it('adds partitions with the topic replication factor, numbered after the last', () => {
    const result = createPartitions(
      image,
      { name: 't', count: 4, assignments: null },
      { validateOnly: false },
    );
    expect(result.response.errorCode).toBe(ErrorCode.NONE);
    const partitions = replayed(image, result.records).topics.byName.get('t')!.partitions;
    expect([...partitions.keys()]).toEqual([0, 1, 2, 3]);
    for (const partition of partitions.values()) expect(partition.replicas).toHaveLength(2);
  });

  it('refuses shrinking, unknown topics and mismatched assignments', () => {
    const code = (count: number, assignments: number[][] | null = null, name = 't') =>
      createPartitions(image, { name, count, assignments }, { validateOnly: false }).response
        .errorCode;
    expect(code(1)).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(code(2, null, 'nope')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(code(3, [[1, 2]])).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(code(2, [[1]])).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(code(2, [[3, 1]])).toBe(ErrorCode.NONE);
  });
});

describe('allocateProducerIds', () => {
  it('hands out consecutive blocks of 1000 in log order', () => {
    const first = allocateProducerIds(image, 1);
    const second = allocateProducerIds(replayed(image, first.records), 2);
    expect(first.response).toEqual({
      errorCode: ErrorCode.NONE,
      producerIdStart: 0,
      producerIdLen: 1000,
    });
    expect(second.response).toEqual({
      errorCode: ErrorCode.NONE,
      producerIdStart: 1000,
      producerIdLen: 1000,
    });
  });

  it('refuses an unregistered broker', () => {
    expect(allocateProducerIds(image, 9).response.errorCode).toBe(
      ErrorCode.BROKER_ID_NOT_REGISTERED,
    );
  });
});
