import type { CreatePartitionsRequest, CreateTopicRequest } from '@rill/controller-quorum';
import type { ClusterView } from './cluster-view.js';

/** A request to create one topic, as the controller takes it (-1 counts: the defaults). */
export type NewTopic = CreateTopicRequest;

/** Grow a topic to `count` partitions (CreatePartitions). */
export type PartitionIncrease = CreatePartitionsRequest;

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
  /**
   * Called after every committed change to topics or partitions, in order; the change is
   * answered once listeners finish.
   */
  onTopicsChanged(listener: (view: ClusterView) => void | Promise<void>): void;
}
