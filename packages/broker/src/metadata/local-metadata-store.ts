import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '@rill/protocol';
import { writeFileAtomic } from '@rill/storage';
import type { BrokerView, ClusterView, TopicChange, TopicView } from './cluster-view.js';
import type { MetadataStore, NewTopic, TopicOutcome } from './metadata-store.js';
import { newTopicProblem } from './topic-rules.js';

interface StoredMetadata {
  readonly version: 1;
  readonly topics: TopicView[];
}

export interface LocalMetadataStoreOptions {
  readonly dir: string;
  readonly clusterId: string;
  readonly self: BrokerView;
}

/**
 * The metadata of a single-node cluster, kept in one checkpoint file written atomically.
 * It stands in for the controller quorum behind MetadataStore: every change is persisted
 * before it becomes visible or is answered, as a committed record would be.
 */
export class LocalMetadataStore implements MetadataStore {
  readonly #path: string;
  readonly #listeners: ((change: TopicChange, view: ClusterView) => void | Promise<void>)[] = [];
  #view: ClusterView;
  /** Changes are applied one at a time, in arrival order. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string, view: ClusterView) {
    this.#path = path;
    this.#view = view;
  }

  static async open(options: LocalMetadataStoreOptions): Promise<LocalMetadataStore> {
    await mkdir(options.dir, { recursive: true });
    const path = join(options.dir, 'metadata.json');
    const stored = await readStored(path);
    const topics = new Map(stored.topics.map((topic) => [topic.name, topic]));
    const view: ClusterView = {
      clusterId: options.clusterId,
      controllerId: options.self.nodeId,
      brokers: [options.self],
      topics,
    };
    return new LocalMetadataStore(path, view);
  }

  current(): ClusterView {
    return this.#view;
  }

  onTopicsChanged(listener: (change: TopicChange, view: ClusterView) => void | Promise<void>): void {
    this.#listeners.push(listener);
  }

  createTopics(topics: readonly NewTopic[], options: { readonly validateOnly: boolean }): Promise<TopicOutcome[]> {
    return this.#serialize(async () => {
      const outcomes: TopicOutcome[] = [];
      const created: TopicView[] = [];
      const liveBrokers = this.#view.brokers.map((b) => b.nodeId);
      for (const topic of topics) {
        const outcome = this.#check(topic, liveBrokers, created);
        outcomes.push(outcome);
        if (outcome.errorCode === ErrorCode.NONE && !options.validateOnly) created.push(this.#place(topic));
      }
      if (created.length > 0) await this.#commit({ created, deleted: [] });
      return outcomes;
    });
  }

  deleteTopics(names: readonly string[]): Promise<TopicOutcome[]> {
    return this.#serialize(async () => {
      const outcomes: TopicOutcome[] = [];
      const deleted: TopicView[] = [];
      for (const name of names) {
        const topic = this.#view.topics.get(name);
        if (topic === undefined || deleted.includes(topic)) {
          outcomes.push({ name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `no topic named '${name}'` });
          continue;
        }
        deleted.push(topic);
        outcomes.push({ name, errorCode: ErrorCode.NONE, errorMessage: null });
      }
      if (deleted.length > 0) await this.#commit({ created: [], deleted });
      return outcomes;
    });
  }

  #check(topic: NewTopic, liveBrokers: readonly number[], pending: readonly TopicView[]): TopicOutcome {
    const problem = newTopicProblem(topic, liveBrokers);
    if (problem !== null) return problem;
    if (this.#view.topics.has(topic.name) || pending.some((p) => p.name === topic.name)) {
      return { name: topic.name, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `topic '${topic.name}' already exists` };
    }
    return { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null };
  }

  #place(topic: NewTopic): TopicView {
    const self = this.#view.brokers[0]!.nodeId;
    const partitions = Array.from({ length: topic.numPartitions }, (_, partition) => {
      const replicas = topic.assignments?.[partition] ?? [self];
      return { partition, leader: replicas[0]!, leaderEpoch: 0, replicas, isr: replicas };
    });
    return { name: topic.name, topicId: randomUUID(), partitions, configs: topic.configs };
  }

  async #commit(change: TopicChange): Promise<void> {
    const topics = new Map(this.#view.topics);
    for (const topic of change.deleted) topics.delete(topic.name);
    for (const topic of change.created) topics.set(topic.name, topic);
    const stored: StoredMetadata = { version: 1, topics: [...topics.values()] };
    await writeFileAtomic(this.#path, JSON.stringify(stored));
    this.#view = { ...this.#view, topics };
    for (const listener of this.#listeners) await listener(change, this.#view);
  }

  #serialize<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

async function readStored(path: string): Promise<StoredMetadata> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, topics: [] };
    throw error;
  }
  const stored = JSON.parse(text) as StoredMetadata;
  if (stored.version !== 1) throw new Error(`${path}: unknown metadata format version ${String(stored.version)}`);
  return stored;
}
