import { describe, expect, it } from 'vitest';
import type { MetadataImage, PartitionRegistration } from '../metadata/image.js';
import { preferredElectionsPerRunMax } from '../metadata/limits.js';
import type { MetadataRecord } from '../metadata/records.js';
import { clusterOf, partitionRecord, replayed, topicIdFor } from '../metadata/testing/fixtures.js';
import { fenceBroker, unfenceBroker } from './brokers.js';
import { electPreferredLeaders } from './preferred-leaders.js';

const topicId = topicIdFor(1);
const clean = { uncleanLeaderElectionEnable: false };
const tenPercent = { imbalancePerBrokerPercentage: 10 };

/** Brokers 1-3 and topic t with `count` partitions whose preferred leaders rotate 1, 2, 3. */
function balanced(count: number): MetadataImage {
  const records: MetadataRecord[] = [{ type: 'topic', name: 't', topicId }];
  for (let p = 0; p < count; p++) {
    const first = (p % 3) + 1;
    records.push(partitionRecord(topicId, p, [first, (first % 3) + 1, ((first + 1) % 3) + 1]));
  }
  return replayed(clusterOf(3), records);
}

function partition(image: MetadataImage, index: number): PartitionRegistration {
  return image.topics.byId.get(topicId)!.partitions.get(index)!;
}

/** Moves leadership of the given partitions to their second replica, keeping the full ISR. */
function ledBySecond(image: MetadataImage, partitions: readonly number[]): MetadataImage {
  return replayed(
    image,
    partitions.map((p) => ({
      type: 'partitionChange',
      topicId,
      partition: p,
      leader: partition(image, p).replicas[1],
      isr: null,
      replicas: null,
    })),
  );
}

describe('electPreferredLeaders', () => {
  it('changes nothing when every partition is led by its preferred replica', () => {
    expect(electPreferredLeaders(balanced(6), tenPercent)).toEqual({ records: [], response: [] });
  });

  it('moves leadership back to the preferred replica once its imbalance exceeds the share', () => {
    // Broker 1 prefers p0, p3, p6, p9: one of four led elsewhere is 25% > 10%.
    const image = ledBySecond(balanced(12), [3]);
    const before = partition(image, 3);
    const result = electPreferredLeaders(image, tenPercent);
    expect(result.response).toEqual([{ topicName: 't', topicId, partition: 3, from: 2, to: 1 }]);
    const after = replayed(image, result.records);
    expect(partition(after, 3)).toMatchObject({
      leader: 1,
      isr: before.isr,
      leaderEpoch: before.leaderEpoch + 1,
      partitionEpoch: before.partitionEpoch + 1,
    });
    expect(electPreferredLeaders(after, tenPercent).records).toEqual([]);
  });

  it('leaves an imbalance at or below the share alone, per broker', () => {
    // Broker 1 prefers 10 of 30 partitions; one led elsewhere is exactly 10%.
    const image = ledBySecond(balanced(30), [3]);
    expect(electPreferredLeaders(image, tenPercent).records).toEqual([]);
    expect(electPreferredLeaders(image, { imbalancePerBrokerPercentage: 9 }).response).toEqual([
      { topicName: 't', topicId, partition: 3, from: 2, to: 1 },
    ]);
    // Broker 2 (p1, p4, …) is over the share too; only its partitions move, not broker 1's.
    const two = ledBySecond(image, [1, 4]);
    expect(electPreferredLeaders(two, tenPercent).response.map((m) => m.partition)).toEqual([1, 4]);
  });

  it('never elects a preferred replica that is out of the ISR or fenced', () => {
    const image = ledBySecond(balanced(3), [0]);
    const outOfIsr = replayed(image, [
      { type: 'partitionChange', topicId, partition: 0, leader: null, isr: [2, 3], replicas: null },
    ]);
    expect(electPreferredLeaders(outOfIsr, tenPercent).records).toEqual([]);
    const fenced = replayed(image, [{ type: 'fenceBroker', nodeId: 1 }]);
    expect(electPreferredLeaders(fenced, tenPercent).records).toEqual([]);
  });

  it('hands leaderships back to a broker that was fenced once it is live and in sync again', () => {
    let image = balanced(6);
    image = replayed(image, fenceBroker(image, 1, clean).records);
    image = replayed(image, unfenceBroker(image, 1, clean).records);
    expect([0, 3].map((p) => partition(image, p).leader)).toEqual([2, 2]);
    // Fencing dropped broker 1 from the ISRs; until replication re-adds it, nothing moves.
    expect(electPreferredLeaders(image, tenPercent).records).toEqual([]);
    image = replayed(
      image,
      [0, 3].map((p) => ({
        type: 'partitionChange',
        topicId,
        partition: p,
        leader: null,
        isr: [2, 3, 1],
        replicas: null,
      })),
    );
    image = replayed(image, electPreferredLeaders(image, tenPercent).records);
    expect([0, 3].map((p) => partition(image, p).leader)).toEqual([1, 1]);
    expect(partition(image, 1).leader).toBe(2);
  });

  it(`moves at most ${preferredElectionsPerRunMax} leaderships in one run`, () => {
    const count = preferredElectionsPerRunMax + 20;
    const records: MetadataRecord[] = [{ type: 'topic', name: 't', topicId }];
    for (let p = 0; p < count; p++) {
      records.push(partitionRecord(topicId, p, [1, 2, 3]));
      records.push({
        type: 'partitionChange',
        topicId,
        partition: p,
        leader: 2,
        isr: null,
        replicas: null,
      });
    }
    const image = replayed(clusterOf(3), records);
    const any = { imbalancePerBrokerPercentage: 0 };
    const first = electPreferredLeaders(image, any);
    expect(first.records).toHaveLength(preferredElectionsPerRunMax);
    const rest = electPreferredLeaders(replayed(image, first.records), any);
    expect(rest.records).toHaveLength(20);
  });
});
