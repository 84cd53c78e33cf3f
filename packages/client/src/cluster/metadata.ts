import type { MetadataResponse } from '@rill/protocol';

export interface BrokerInfo {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface PartitionInfo {
  readonly partition: number;
  /** The leader's node id, or -1 while there is none. */
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly errorCode: number;
}

export interface TopicInfo {
  readonly name: string;
  readonly isInternal: boolean;
  /** NONE, or why the topic has no usable metadata (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, …). */
  readonly errorCode: number;
  /** Indexed by partition number. */
  readonly partitions: readonly PartitionInfo[];
}

/** One immutable view of the cluster from a Metadata response. */
export interface ClusterMetadata {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: ReadonlyMap<number, BrokerInfo>;
  readonly topics: ReadonlyMap<string, TopicInfo>;
}

export const emptyMetadata: ClusterMetadata = {
  clusterId: null,
  controllerId: -1,
  brokers: new Map(),
  topics: new Map(),
};

/**
 * Builds a view from a response. Topics the response does not mention keep their previous
 * entry when `merge` is set, because a refresh asks only for the topics in use.
 */
export function metadataFromResponse(
  response: MetadataResponse,
  previous: ClusterMetadata,
  merge: boolean,
): ClusterMetadata {
  const brokers = new Map<number, BrokerInfo>();
  for (const broker of response.brokers) {
    brokers.set(broker.nodeId, {
      nodeId: broker.nodeId,
      host: broker.host,
      port: broker.port,
      rack: broker.rack,
    });
  }
  const topics = new Map<string, TopicInfo>(merge ? previous.topics : []);
  for (const topic of response.topics) {
    const partitions: PartitionInfo[] = topic.partitions
      .map((p) => ({
        partition: p.partitionIndex,
        leader: p.leaderId,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        errorCode: p.errorCode,
      }))
      .sort((a, b) => a.partition - b.partition);
    topics.set(topic.name, {
      name: topic.name,
      isInternal: topic.isInternal,
      errorCode: topic.errorCode,
      partitions,
    });
  }
  return { clusterId: response.clusterId, controllerId: response.controllerId, brokers, topics };
}

/** The leader of a partition, if the view knows a live one. */
export function leaderOf(
  metadata: ClusterMetadata,
  topic: string,
  partition: number,
): number | undefined {
  const info = metadata.topics.get(topic)?.partitions[partition];
  if (info === undefined || info.leader < 0 || !metadata.brokers.has(info.leader)) return undefined;
  return info.leader;
}
