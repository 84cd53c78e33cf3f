import type { ListenerAddress } from '../config/addresses.js';

/** What a node knows of the cluster: read by request handlers, replaced whole on change. */
export interface ClusterView {
  readonly clusterId: string;
  readonly controllerId: number;
  readonly brokers: readonly BrokerView[];
  /** host:port of every registered broker's internal gRPC listener, fenced ones included. */
  readonly internalAddresses: ReadonlyMap<number, string>;
  /** The incarnation each registered broker runs under (a restart registers a new one). */
  readonly incarnations: ReadonlyMap<number, string>;
  readonly topics: ReadonlyMap<string, TopicView>;
}

export interface BrokerView {
  readonly nodeId: number;
  readonly rack: string | null;
  /** Advertised client endpoints, one per listener name. */
  readonly endpoints: readonly ListenerAddress[];
}

export interface TopicView {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: readonly PartitionView[];
  /** Topic-level overrides only; the broker's properties supply the rest. */
  readonly configs: Readonly<Record<string, string>>;
}

export interface PartitionView {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  /** Bumped by every change to this partition; AlterPartition must carry the current one. */
  readonly partitionEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}
