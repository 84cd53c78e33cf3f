import { isBrokerLive, type MetadataImage, type PartitionRegistration } from '../metadata/image.js';
import { preferredElectionsPerRunMax } from '../metadata/limits.js';
import type { PartitionChangeRecord } from '../metadata/records.js';
import { partitionChange } from './partition-records.js';
import type { ControllerResult } from './result.js';

export interface PreferredLeaderOptions {
  /**
   * leader.imbalance.per.broker.percentage: a broker's preferred leaderships are moved back
   * once more than this share of them is led by another broker.
   */
  readonly imbalancePerBrokerPercentage: number;
}

/** One leadership handed back to its preferred replica. */
export interface PreferredLeaderMove {
  readonly topicName: string;
  readonly topicId: string;
  readonly partition: number;
  /** The leader it had: another replica, or -1 when it was offline. */
  readonly from: number;
  readonly to: number;
}

interface Misled {
  readonly topicName: string;
  readonly topicId: string;
  readonly partition: number;
  readonly current: PartitionRegistration;
}

/**
 * Kafka's automatic preferred-replica election (auto.leader.rebalance.enable). A partition's
 * preferred leader is its first replica; placement spreads those evenly, and fencing moves
 * leaderships away, so after a broker restarts the others lead more than their share. For
 * each broker whose imbalance (its preferred partitions led elsewhere, over all its preferred
 * partitions) exceeds the percentage, every such partition moves back to it — when it is
 * live and in the ISR, so the move is a clean election that loses nothing. The ISR is kept
 * as it is; replay bumps the leader epoch, fencing the old leader. At most
 * preferredElectionsPerRunMax moves per run: the next run takes the rest.
 */
export function electPreferredLeaders(
  image: MetadataImage,
  options: PreferredLeaderOptions,
): ControllerResult<PreferredLeaderMove[]> {
  const records: PartitionChangeRecord[] = [];
  const moves: PreferredLeaderMove[] = [];
  for (const [brokerId, misled] of imbalancedBrokers(image, options)) {
    if (!isBrokerLive(image.cluster, brokerId)) continue;
    for (const { topicName, topicId, partition, current } of misled) {
      if (records.length >= preferredElectionsPerRunMax) return { records, response: moves };
      if (!current.isr.includes(brokerId)) continue;
      const record = partitionChange(topicId, partition, current, {
        leader: brokerId,
        isr: current.isr,
      });
      if (record === null) continue;
      records.push(record);
      moves.push({ topicName, topicId, partition, from: current.leader, to: brokerId });
    }
  }
  return { records, response: moves };
}

/** Brokers over the imbalance threshold, in id order, with their partitions led elsewhere. */
function imbalancedBrokers(
  image: MetadataImage,
  options: PreferredLeaderOptions,
): [number, Misled[]][] {
  const preferredCounts = new Map<number, number>();
  const misledByBroker = new Map<number, Misled[]>();
  for (const topic of image.topics.byId.values()) {
    for (const [partition, current] of topic.partitions) {
      const preferred = current.replicas[0];
      preferredCounts.set(preferred, (preferredCounts.get(preferred) ?? 0) + 1);
      if (current.leader === preferred) continue;
      const misled = misledByBroker.get(preferred) ?? [];
      misled.push({ topicName: topic.name, topicId: topic.topicId, partition, current });
      misledByBroker.set(preferred, misled);
    }
  }
  const percentage = options.imbalancePerBrokerPercentage;
  const overShare = ([brokerId, misled]: [number, Misled[]]): boolean =>
    misled.length * 100 > percentage * preferredCounts.get(brokerId)!;
  return [...misledByBroker].filter(overShare).sort(([a], [b]) => a - b);
}
