import type { MetadataImage, PartitionRegistration } from '../metadata/image.js';
import { noLeader, type PartitionChangeRecord } from '../metadata/records.js';
import { uncleanElectionEnabled } from './cluster-queries.js';
import { partitionChange, type PartitionTarget } from './partition-records.js';

export interface ElectionOptions {
  /** unclean.leader.election.enable for topics without an override (Kafka's default: false). */
  readonly uncleanLeaderElectionEnable: boolean;
}

/**
 * Where a partition should go given which brokers are live.
 *
 * The ISR loses its members that are not live — but never its last one: with an empty ISR
 * nobody would know which replica holds every committed record, so the last member stays
 * and the partition waits for it (KIP-966's "strict min ISR", without its ELR part). The
 * leader stays if it is live and in the ISR; otherwise the first live ISR member in replica
 * order leads. If there is none the partition goes offline (leader -1) — unless unclean
 * election is on, which takes any live replica and accepts losing what only the ISR had.
 */
export function electionTarget(
  current: PartitionRegistration,
  isLive: (nodeId: number) => boolean,
  unclean: boolean,
): PartitionTarget {
  const liveIsr = current.isr.filter(isLive);
  const isr = liveIsr.length > 0 ? liveIsr : current.isr;
  if (isLive(current.leader) && isr.includes(current.leader))
    return { leader: current.leader, isr };
  const leader = current.replicas.find((replica) => isr.includes(replica) && isLive(replica));
  if (leader !== undefined) return { leader, isr };
  const uncleanLeader = unclean ? current.replicas.find(isLive) : undefined;
  if (uncleanLeader !== undefined) return { leader: uncleanLeader, isr: [uncleanLeader] };
  return { leader: noLeader, isr };
}

export interface ReelectRequest {
  readonly isLive: (nodeId: number) => boolean;
  /** The partitions to look at; the others keep their state. */
  readonly affects: (partition: PartitionRegistration) => boolean;
}

/** PartitionChange records for every affected partition whose leader or ISR must move. */
export function reelectPartitions(
  image: MetadataImage,
  request: ReelectRequest,
  options: ElectionOptions,
): PartitionChangeRecord[] {
  const records: PartitionChangeRecord[] = [];
  for (const topic of image.topics.byId.values()) {
    const unclean = uncleanElectionEnabled(image, topic.name, options.uncleanLeaderElectionEnable);
    for (const [partition, current] of topic.partitions) {
      if (!request.affects(current)) continue;
      const target = electionTarget(current, request.isLive, unclean);
      const record = partitionChange(topic.topicId, partition, current, target);
      if (record !== null) records.push(record);
    }
  }
  return records;
}
