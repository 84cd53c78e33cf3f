import type { Endpoint, InternalAddress } from './records.js';

/**
 * The cluster's metadata at one offset of the metadata log: immutable, and shared freely
 * between readers. A new image is built by a MetadataDelta, which reuses every sub-image
 * (and every topic) it did not touch, so readers may compare parts by reference to learn
 * what changed.
 */
export interface MetadataImage {
  readonly provenance: Provenance;
  readonly cluster: ClusterImage;
  readonly topics: TopicsImage;
  readonly configs: ConfigsImage;
  readonly producerIds: ProducerIdsImage;
}

/** The last log entry the image includes: offset -1 is the empty image. */
export interface Provenance {
  readonly offset: number;
  readonly epoch: number;
}

export interface BrokerRegistration {
  readonly nodeId: number;
  readonly incarnationId: string;
  readonly endpoints: readonly Endpoint[];
  readonly internalAddress: InternalAddress;
  readonly rack: string | null;
  /** A fenced broker leads nothing and is not offered to clients or to new ISRs. */
  readonly fenced: boolean;
}

export interface ClusterImage {
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
}

export interface PartitionRegistration {
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** A node id, or -1 (noLeader) while no replica it may elect is live. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

export interface TopicImage {
  readonly name: string;
  readonly topicId: string;
  /** By partition index; indexes are dense from 0. */
  readonly partitions: ReadonlyMap<number, PartitionRegistration>;
}

export interface TopicsImage {
  readonly byId: ReadonlyMap<string, TopicImage>;
  readonly byName: ReadonlyMap<string, TopicImage>;
}

/** Key → value overrides per resource; a resource with no keys is absent. */
export type ConfigEntries = ReadonlyMap<string, string>;

export interface ConfigsImage {
  /** By topic name. */
  readonly topic: ReadonlyMap<string, ConfigEntries>;
  /** By node id as a string; '' holds the cluster-wide broker defaults. */
  readonly broker: ReadonlyMap<string, ConfigEntries>;
}

export interface ProducerIdBlock {
  readonly brokerId: number;
  readonly firstProducerId: number;
  readonly size: number;
}

export interface ProducerIdsImage {
  /** The last block handed out; the next starts where it ends. */
  readonly lastBlock: ProducerIdBlock | null;
}

export const emptyClusterImage: ClusterImage = { brokers: new Map() };
export const emptyTopicsImage: TopicsImage = { byId: new Map(), byName: new Map() };
export const emptyConfigsImage: ConfigsImage = { topic: new Map(), broker: new Map() };
export const emptyProducerIdsImage: ProducerIdsImage = { lastBlock: null };

export const emptyImage: MetadataImage = {
  provenance: { offset: -1, epoch: 0 },
  cluster: emptyClusterImage,
  topics: emptyTopicsImage,
  configs: emptyConfigsImage,
  producerIds: emptyProducerIdsImage,
};

/** The first producer id the next block will start at. */
export function nextProducerId(image: ProducerIdsImage): number {
  const block = image.lastBlock;
  return block === null ? 0 : block.firstProducerId + block.size;
}

/** Registered and unfenced: may lead partitions and join ISRs. */
export function isBrokerLive(cluster: ClusterImage, nodeId: number): boolean {
  const broker = cluster.brokers.get(nodeId);
  return broker !== undefined && !broker.fenced;
}

/** Live broker ids in ascending order. */
export function liveBrokerIds(cluster: ClusterImage): number[] {
  const ids: number[] = [];
  for (const broker of cluster.brokers.values()) if (!broker.fenced) ids.push(broker.nodeId);
  return ids.sort((a, b) => a - b);
}
