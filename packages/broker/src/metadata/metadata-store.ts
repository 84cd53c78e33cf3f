import type { ClusterView, TopicChange } from './cluster-view.js';

/** A request to create one topic, after the broker has filled in its defaults. */
export interface NewTopic {
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  /** Explicit replica lists per partition, when the client gave them. */
  readonly assignments: readonly (readonly number[])[] | null;
  readonly configs: Readonly<Record<string, string>>;
}

export interface TopicOutcome {
  readonly name: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/**
 * The one seam through which topics are created and deleted. The single-node store answers
 * from a local file; the Raft-replicated controller takes its place behind this interface.
 */
export interface MetadataStore {
  current(): ClusterView;
  createTopics(topics: readonly NewTopic[], options: { readonly validateOnly: boolean }): Promise<TopicOutcome[]>;
  deleteTopics(names: readonly string[]): Promise<TopicOutcome[]>;
  /** Called after every committed change, in order; the change is answered once listeners finish. */
  onTopicsChanged(listener: (change: TopicChange, view: ClusterView) => void | Promise<void>): void;
}
