import { replicasPerPartitionMax } from '../metadata/limits.js';
import { isBrokerLive, type MetadataImage } from '../metadata/image.js';
import { ErrorCode as Code } from '@rill/protocol';
import type { PlacementBroker } from './placement.js';
import { failure, type Outcome } from './result.js';
import { uncleanLeaderElectionKey } from './topic-rules.js';

/** Read-only questions the controller operations ask of an image. */

/** The brokers that may receive new replicas: registered and unfenced, by id. */
export function placementBrokers(image: MetadataImage): PlacementBroker[] {
  const brokers: PlacementBroker[] = [];
  for (const broker of image.cluster.brokers.values()) {
    if (!broker.fenced) brokers.push({ nodeId: broker.nodeId, rack: broker.rack });
  }
  return brokers.sort((a, b) => a.nodeId - b.nodeId);
}

/** How many partitions each broker is the preferred leader (first replica) of. */
export function preferredLeaderCounts(image: MetadataImage): Map<number, number> {
  const counts = new Map<number, number>();
  for (const topic of image.topics.byId.values()) {
    for (const partition of topic.partitions.values()) addLeader(counts, partition.replicas);
  }
  return counts;
}

export function addLeader(counts: Map<number, number>, replicas: readonly number[]): void {
  counts.set(replicas[0], (counts.get(replicas[0]) ?? 0) + 1);
}

/** The topic's unclean.leader.election.enable override, else the cluster default. */
export function uncleanElectionEnabled(
  image: MetadataImage,
  topicName: string,
  clusterDefault: boolean,
): boolean {
  const value = image.configs.topic.get(topicName)?.get(uncleanLeaderElectionKey);
  return value === undefined ? clusterDefault : value === 'true';
}

/**
 * Why a manual replica assignment is refused (INVALID_REPLICA_ASSIGNMENT), or null. Every
 * partition needs the same number of distinct, live brokers: a fenced or unknown broker
 * could never catch up to join the ISR.
 */
export function assignmentProblem(
  image: MetadataImage,
  assignments: readonly (readonly number[])[],
): string | null {
  const replicationFactor = assignments[0]?.length ?? 0;
  for (const [partition, replicas] of assignments.entries()) {
    if (replicas.length === 0) return `partition ${partition} has no replicas`;
    if (replicas.length !== replicationFactor)
      return 'every partition must have the same number of replicas';
    if (replicas.length > replicasPerPartitionMax)
      return `more than ${replicasPerPartitionMax} replicas`;
    if (new Set(replicas).size !== replicas.length)
      return `partition ${partition} lists a broker twice`;
    const absent = replicas.find((broker) => !isBrokerLive(image.cluster, broker));
    if (absent !== undefined)
      return `broker ${absent} in the replica assignment is not registered and unfenced`;
  }
  return null;
}

/** INVALID_REPLICATION_FACTOR: more replicas wanted than there are live brokers to hold them. */
export function tooFewBrokers(replicationFactor: number, liveBrokers: number): Outcome {
  return failure(
    Code.INVALID_REPLICATION_FACTOR,
    `replication factor ${replicationFactor} exceeds the ${liveBrokers} live broker(s)`,
  );
}
