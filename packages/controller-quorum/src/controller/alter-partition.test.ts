import { ErrorCode } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import type { MetadataImage } from '../metadata/image.js';
import { clusterOf, partitionRecord, replayed, topicIdFor } from '../metadata/testing/fixtures.js';
import {
  alterPartition,
  type AlterPartitionItem,
  type AlterPartitionRequest,
} from './alter-partition.js';

const topicId = topicIdFor(1);

/** Brokers 1-3, topic t p0: replicas [1,2,3], ISR [1,2] led by 1 at epochs 0/1. */
function image(): MetadataImage {
  return replayed(clusterOf(3), [
    { type: 'topic', name: 't', topicId },
    partitionRecord(topicId, 0, [1, 2, 3]),
    { type: 'partitionChange', topicId, partition: 0, leader: null, isr: [1, 2], replicas: null },
  ]);
}

function item(overrides: Partial<AlterPartitionItem> = {}): AlterPartitionItem {
  return {
    topicId,
    partition: 0,
    leaderEpoch: 0,
    partitionEpoch: 1,
    newIsr: [1, 2, 3],
    ...overrides,
  };
}

/** The incarnation the fixtures register broker `brokerId` with. */
function incarnationOf(brokerId: number): string {
  return topicIdFor(1000 + brokerId);
}

function from(brokerId: number, partitions: AlterPartitionItem[]): AlterPartitionRequest {
  return { brokerId, incarnationId: incarnationOf(brokerId), partitions };
}

function codeOf(base: MetadataImage, brokerId: number, request: AlterPartitionItem): number {
  return alterPartition(base, from(brokerId, [request])).response[0].errorCode;
}

describe('alterPartition', () => {
  it('accepts an ISR change from the leader at the current epochs', () => {
    const result = alterPartition(image(), from(1, [item()]));
    expect(result.response[0]).toMatchObject({
      errorCode: ErrorCode.NONE,
      leader: 1,
      leaderEpoch: 0,
      isr: [1, 2, 3],
      partitionEpoch: 2,
    });
    const next = replayed(image(), result.records);
    expect(next.topics.byId.get(topicId)?.partitions.get(0)).toMatchObject({
      isr: [1, 2, 3],
      partitionEpoch: 2,
      leaderEpoch: 0,
    });
  });

  it('refuses a stale partition epoch, and a second change built on the old state', () => {
    expect(codeOf(image(), 1, item({ partitionEpoch: 0 }))).toBe(
      ErrorCode.INVALID_UPDATE_VERSION,
    );
    const shrunk = replayed(
      image(),
      alterPartition(image(), from(1, [item({ newIsr: [1] })])).records,
    );
    expect(codeOf(shrunk, 1, item())).toBe(ErrorCode.INVALID_UPDATE_VERSION);
  });

  it('fences a leader from an older epoch, and refuses anyone but the leader', () => {
    const moved = replayed(image(), [
      { type: 'partitionChange', topicId, partition: 0, leader: 2, isr: null, replicas: null },
    ]);
    expect(codeOf(moved, 1, item({ partitionEpoch: 2 }))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(codeOf(image(), 2, item())).toBe(ErrorCode.INVALID_REQUEST);
    expect(codeOf(image(), 1, item({ leaderEpoch: 5 }))).toBe(ErrorCode.NOT_CONTROLLER);
  });

  it('refuses ISRs without the leader, with strangers, or adding a fenced broker', () => {
    expect(codeOf(image(), 1, item({ newIsr: [2] }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(codeOf(image(), 1, item({ newIsr: [1, 4] }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(codeOf(image(), 1, item({ newIsr: [1, 1] }))).toBe(ErrorCode.INVALID_REQUEST);
    const fenced = replayed(image(), [{ type: 'fenceBroker', nodeId: 3 }]);
    expect(codeOf(fenced, 1, item())).toBe(ErrorCode.INELIGIBLE_REPLICA);
  });

  it('refuses a joining member whose fetches came from an earlier incarnation (KIP-903)', () => {
    const seenAs = (incarnation3: string): AlterPartitionItem =>
      item({
        newIsrIncarnations: [
          { brokerId: 1, incarnationId: incarnationOf(1) },
          { brokerId: 2, incarnationId: incarnationOf(2) },
          { brokerId: 3, incarnationId: incarnation3 },
        ],
      });
    expect(codeOf(image(), 1, seenAs(incarnationOf(3)))).toBe(ErrorCode.NONE);
    expect(codeOf(image(), 1, seenAs(topicIdFor(77)))).toBe(ErrorCode.INELIGIBLE_REPLICA);
  });

  it('answers unknown topics and partitions, and a partition named twice', () => {
    expect(codeOf(image(), 1, item({ topicId: topicIdFor(9) }))).toBe(
      ErrorCode.UNKNOWN_TOPIC_ID,
    );
    expect(codeOf(image(), 1, item({ partition: 4 }))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const twice = alterPartition(image(), from(1, [item(), item()]));
    expect(twice.response.map((r) => r.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.INVALID_REQUEST,
    ]);
    expect(twice.records).toHaveLength(1);
  });

  it('refuses every item from an incarnation that is not the registered one', () => {
    const request = from(1, [item(), item({ partition: 4 })]);
    const result = alterPartition(image(), { ...request, incarnationId: topicIdFor(77) });
    expect(result.records).toEqual([]);
    expect(result.response.map((r) => r.errorCode)).toEqual([
      ErrorCode.STALE_BROKER_EPOCH,
      ErrorCode.STALE_BROKER_EPOCH,
    ]);
    expect(result.response[0]).toMatchObject({ leader: 1, isr: [1, 2], partitionEpoch: 1 });
    expect(codeOf(replayed(image(), [{ type: 'unregisterBroker', nodeId: 1 }]), 1, item())).toBe(
      ErrorCode.STALE_BROKER_EPOCH,
    );
  });

  it('emits nothing when the ISR is already as asked', () => {
    const result = alterPartition(image(), from(1, [item({ newIsr: [1, 2] })]));
    expect(result.records).toEqual([]);
    expect(result.response[0]).toMatchObject({ errorCode: ErrorCode.NONE, partitionEpoch: 1 });
  });
});
