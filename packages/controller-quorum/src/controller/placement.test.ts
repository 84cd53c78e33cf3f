import { describe, expect, it } from 'vitest';
import type { MetadataImage } from '../metadata/image.js';
import { clusterOf, replayed, topicIdFor } from '../metadata/testing/fixtures.js';
import { preferredLeaderCounts } from './cluster-queries.js';
import { createTopics } from './create-topics.js';
import { placeReplicas, type PlacementBroker } from './placement.js';

function brokers(count: number, racks: readonly string[] = []): PlacementBroker[] {
  return Array.from({ length: count }, (_, i) => ({ nodeId: i + 1, rack: racks[i] ?? null }));
}

function countBy<T>(items: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

function create(
  image: MetadataImage,
  name: string,
  numPartitions: number,
  replicationFactor: number,
  id: number,
): MetadataImage {
  const options = {
    defaultPartitions: 1,
    defaultReplicationFactor: 1,
    validateOnly: false,
    newTopicId: () => topicIdFor(id),
  };
  const request = { name, numPartitions, replicationFactor, assignments: null, configs: {} };
  return replayed(image, createTopics(image, [request], options).records);
}

describe('placeReplicas', () => {
  it('gives each of 3 brokers 2 leaders and 6 replicas for 6 partitions × RF 3', () => {
    const lists = placeReplicas({
      brokers: brokers(3),
      partitionCount: 6,
      replicationFactor: 3,
      leaderCounts: new Map(),
    });
    expect(countBy(lists.map((replicas) => replicas[0]))).toEqual(
      new Map([
        [1, 2],
        [2, 2],
        [3, 2],
      ]),
    );
    expect(countBy(lists.flat())).toEqual(
      new Map([
        [1, 6],
        [2, 6],
        [3, 6],
      ]),
    );
    for (const replicas of lists) expect(new Set(replicas).size).toBe(3);
  });

  it('varies which brokers follow a leader from one round to the next', () => {
    const lists = placeReplicas({
      brokers: brokers(5),
      partitionCount: 10,
      replicationFactor: 2,
      leaderCounts: new Map(),
    });
    expect(lists[0]).toEqual([1, 2]);
    expect(lists[5]).toEqual([1, 3]);
    expect(countBy(lists.flat())).toEqual(
      new Map([
        [1, 4],
        [2, 4],
        [3, 4],
        [4, 4],
        [5, 4],
      ]),
    );
  });

  it('starts at the broker leading the fewest partitions', () => {
    const lists = placeReplicas({
      brokers: brokers(3),
      partitionCount: 1,
      replicationFactor: 1,
      leaderCounts: new Map([
        [1, 4],
        [2, 1],
        [3, 4],
      ]),
    });
    expect(lists).toEqual([[2]]);
  });

  it('spreads each partition over distinct racks', () => {
    const racks = ['a', 'a', 'b', 'b', 'c', 'c'];
    const lists = placeReplicas({
      brokers: brokers(6, racks),
      partitionCount: 12,
      replicationFactor: 3,
      leaderCounts: new Map(),
    });
    for (const replicas of lists) expect(new Set(replicas.map((id) => racks[id - 1])).size).toBe(3);
    expect(countBy(lists.map((replicas) => replicas[0]))).toEqual(
      new Map([
        [1, 2],
        [2, 2],
        [3, 2],
        [4, 2],
        [5, 2],
        [6, 2],
      ]),
    );
  });

  it('reuses racks only once every rack holds a replica', () => {
    const racks = ['a', 'a', 'a', 'b'];
    const lists = placeReplicas({
      brokers: brokers(4, racks),
      partitionCount: 8,
      replicationFactor: 3,
      leaderCounts: new Map(),
    });
    for (const replicas of lists)
      expect(new Set(replicas.map((id) => racks[id - 1]))).toEqual(new Set(['a', 'b']));
  });
});

describe('placement across topics', () => {
  it('spreads leaders of single-partition topics over all brokers', () => {
    let image = clusterOf(3);
    for (let i = 1; i <= 6; i++) image = create(image, `t${i}`, 1, 2, i);
    expect(preferredLeaderCounts(image)).toEqual(
      new Map([
        [1, 2],
        [2, 2],
        [3, 2],
      ]),
    );
  });

  it('keeps leaders balanced when topics of different sizes follow each other', () => {
    let image = clusterOf(3, ['a', 'b', 'c']);
    image = create(image, 'one', 1, 3, 1);
    image = create(image, 'five', 5, 3, 2);
    expect(preferredLeaderCounts(image)).toEqual(
      new Map([
        [1, 2],
        [2, 2],
        [3, 2],
      ]),
    );
  });
});
