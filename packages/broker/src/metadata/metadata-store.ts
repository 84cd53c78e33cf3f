import type { AlterTopicConfigsRequest, CreatePartitionsRequest, CreateTopicRequest } from '@rill/controller-quorum';
import type { ClusterView } from './cluster-view.js';

/** A request to create one topic, as the controller takes it (-1 counts: the defaults). */
export type NewTopic = CreateTopicRequest;

/** Grow a topic to `count` partitions (CreatePartitions). */
export type PartitionIncrease = CreatePartitionsRequest;

/** A change to one topic's configs (AlterConfigs: `replace`; IncrementalAlterConfigs). */
export type TopicConfigChange = AlterTopicConfigsRequest;

/** One replica of the metadata quorum as its leader sees it (DescribeQuorum). */
export interface QuorumReplica {
  readonly replicaId: number;
  /** The log end it has proven to share with the leader; -1 when unknown. */
  readonly logEndOffset: number;
  /** The leader's wall-clock milliseconds; -1 when unknown. */
  readonly lastFetchTimestamp: number;
  readonly lastCaughtUpTimestamp: number;
}

export interface QuorumStatus {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly highWatermark: number;
  /** The leader first, then the other voters by id. */
  readonly voters: readonly QuorumReplica[];
  readonly observers: readonly QuorumReplica[];
}

export interface TopicOutcome {
  readonly name: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/**
 * The one seam through which topics are created and deleted, and through which the request
 * handlers read the cluster; QuorumMetadataStore implements it over the metadata quorum.
 */
export interface MetadataStore {
  current(): ClusterView;
  createTopics(topics: readonly NewTopic[], options: { readonly validateOnly: boolean }): Promise<TopicOutcome[]>;
  deleteTopics(names: readonly string[]): Promise<TopicOutcome[]>;
  createPartitions(increases: readonly PartitionIncrease[], options: { readonly validateOnly: boolean }): Promise<TopicOutcome[]>;
  /** Changes topic configs: one outcome per change, answered once this node has replayed it. */
  alterTopicConfigs(changes: readonly TopicConfigChange[], options: { readonly validateOnly: boolean }): Promise<TopicOutcome[]>;
  /** The quorum as the active controller sees it; null when no controller answered in time. */
  describeQuorum(): Promise<QuorumStatus | null>;
  /**
   * Called after every committed change to topics, partitions or topic configs, in order;
   * the change is answered once listeners finish.
   */
  onTopicsChanged(listener: (view: ClusterView) => void | Promise<void>): void;
}
