/**
 * The metadata log's records (DESIGN §6). Every change to cluster metadata is one of these,
 * committed through Raft and replayed, in order, by controllers and brokers alike. They are
 * facts, not commands: a record never fails to apply to the image it was computed from.
 */

/**
 * The one spelling of a UUID the codec reads back (lowercase, dashed). Ids in records must
 * use it, or a round trip would change them and with them the image hash.
 */
export const canonicalUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** "No leader": the partition is offline until a replica it may elect comes back. */
export const noLeader = -1;

export interface Endpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface InternalAddress {
  readonly host: string;
  readonly port: number;
}

/** A broker process joined (or rejoined) the cluster. It starts fenced: it leads nothing. */
export interface RegisterBrokerRecord {
  readonly type: 'registerBroker';
  readonly nodeId: number;
  /** Distinguishes restarts of one node id (Kafka's incarnation id), a UUID. */
  readonly incarnationId: string;
  /** Advertised client listeners, in the broker's order. */
  readonly endpoints: readonly Endpoint[];
  /** Where peers reach its replication and controller gRPC (port 9093). */
  readonly internalAddress: InternalAddress;
  readonly rack: string | null;
  readonly fenced: boolean;
}

export interface UnregisterBrokerRecord {
  readonly type: 'unregisterBroker';
  readonly nodeId: number;
}

/** The broker's session lapsed: it may not lead, and leaves ISRs where that is safe. */
export interface FenceBrokerRecord {
  readonly type: 'fenceBroker';
  readonly nodeId: number;
}

export interface UnfenceBrokerRecord {
  readonly type: 'unfenceBroker';
  readonly nodeId: number;
}

export interface TopicRecord {
  readonly type: 'topic';
  readonly name: string;
  readonly topicId: string;
}

/** A partition's full state: written when it is created, and in snapshots. */
export interface PartitionRecord {
  readonly type: 'partition';
  readonly topicId: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

/**
 * A change to one partition; null fields are unchanged. Replay bumps leaderEpoch whenever
 * `leader` is set (a new election, even of the same broker, fences the old term) and bumps
 * partitionEpoch always, so a leader's AlterPartition can prove it saw the latest state.
 */
export interface PartitionChangeRecord {
  readonly type: 'partitionChange';
  readonly topicId: string;
  readonly partition: number;
  readonly leader: number | null;
  readonly isr: readonly number[] | null;
  readonly replicas: readonly number[] | null;
}

export interface RemoveTopicRecord {
  readonly type: 'removeTopic';
  readonly topicId: string;
}

export type ConfigResourceType = 'topic' | 'broker';

/** Sets (value) or deletes (null) one config key of a topic or a broker. */
export interface ConfigRecord {
  readonly type: 'config';
  readonly resourceType: ConfigResourceType;
  /** The topic name, or the broker's node id as a string ('' = the cluster-wide default). */
  readonly resourceName: string;
  readonly key: string;
  readonly value: string | null;
}

/** Producer ids [firstProducerId, firstProducerId + size) now belong to `brokerId`. */
export interface ProducerIdsBlockRecord {
  readonly type: 'producerIdsBlock';
  readonly brokerId: number;
  readonly firstProducerId: number;
  readonly size: number;
}

/**
 * Written by a new Raft leader so its epoch has an entry it can commit (Raft §5.4.2). It
 * changes no metadata; replay only advances the image's provenance.
 */
export interface LeaderChangeRecord {
  readonly type: 'leaderChange';
  readonly leaderId: number;
  readonly epoch: number;
}

export type MetadataRecord =
  | RegisterBrokerRecord
  | UnregisterBrokerRecord
  | FenceBrokerRecord
  | UnfenceBrokerRecord
  | TopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | RemoveTopicRecord
  | ConfigRecord
  | ProducerIdsBlockRecord
  | LeaderChangeRecord;

export type MetadataRecordType = MetadataRecord['type'];
