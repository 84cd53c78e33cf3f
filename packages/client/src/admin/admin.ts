import { ErrorCode } from '@rill/protocol';
import { ClosedError, KafkaError } from '../errors.js';
import { Cluster, type ClusterOptions } from '../cluster/cluster.js';
import { CoordinatorLookup } from '../cluster/coordinator.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../cluster/list-offsets.js';
import type { BrokerInfo, PartitionInfo } from '../cluster/metadata.js';
import {
  alterConfigs,
  describeConfigs,
  type AlterConfigsOptions,
  type ConfigChanges,
  type ConfigEntry,
  type ConfigResource,
} from './configs.js';
import {
  commitOffsets,
  deleteGroups,
  describeGroup,
  describeGroupLag,
  fetchCommittedOffsets,
  listGroups,
  resetGroupOffsets,
  type GroupDescription,
  type GroupListing,
  type OffsetResetResult,
  type PartitionLag,
  type ResetTarget,
} from './groups.js';
import { describeQuorum, type QuorumDescription } from './quorum.js';
import {
  createPartitions,
  createTopics,
  deleteTopics,
  type CreateTopicsOptions,
  type NewTopic,
} from './topics.js';

export type AdminOptions = ClusterOptions;

export interface TopicDescription {
  readonly name: string;
  readonly isInternal: boolean;
  readonly partitions: readonly PartitionInfo[];
}

export interface ClusterDescription {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: readonly BrokerInfo[];
}

export type OffsetSpec = 'earliest' | 'latest' | { readonly timestampMs: number };

/**
 * Topics, configs, consumer groups and the cluster itself, over the public Kafka APIs.
 *
 * ```ts
 * const admin = new Admin({ brokers: ['localhost:9092'] });
 * await admin.createTopics([{ name: 'orders', partitions: 6, replicationFactor: 3 }]);
 * console.log(await admin.describeTopics(['orders']));
 * await admin.close();
 * ```
 */
export class Admin {
  readonly #cluster: Cluster;
  readonly #coordinators: CoordinatorLookup;
  #closed = false;

  constructor(options: AdminOptions) {
    this.#cluster = new Cluster(options);
    this.#coordinators = new CoordinatorLookup(this.#cluster);
  }

  /** Reaches the cluster once; every method also connects on demand. */
  async connect(): Promise<void> {
    this.#check();
    await this.#cluster.refreshMetadata();
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    this.#check();
    const metadata = await this.#cluster.describeTopics(null);
    return [...metadata.topics.values()]
      .filter((t) => options.includeInternal === true || !t.isInternal)
      .map((t) => t.name)
      .sort();
  }

  /** Describes topics (all of them when `names` is omitted); an unknown name is a KafkaError. */
  async describeTopics(names?: readonly string[]): Promise<TopicDescription[]> {
    this.#check();
    const metadata = await this.#cluster.describeTopics(names ?? null);
    const topics = [...metadata.topics.values()];
    const failed = topics.find((t) => t.errorCode !== ErrorCode.NONE);
    if (failed !== undefined)
      throw new KafkaError(failed.errorCode, { apiName: 'Metadata', topic: failed.name });
    return topics
      .map((t) => ({ name: t.name, isInternal: t.isInternal, partitions: t.partitions }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  createTopics(topics: readonly NewTopic[], options: CreateTopicsOptions = {}): Promise<void> {
    this.#check();
    return createTopics(this.#cluster, topics, options);
  }

  deleteTopics(names: readonly string[], options: { timeoutMs?: number } = {}): Promise<void> {
    this.#check();
    return deleteTopics(this.#cluster, names, options.timeoutMs);
  }

  /** Grows a topic to `count` partitions in total (Kafka never shrinks one). */
  createPartitions(
    requests: readonly { topic: string; count: number }[],
    options: { timeoutMs?: number } = {},
  ): Promise<void> {
    this.#check();
    return createPartitions(this.#cluster, requests, options.timeoutMs);
  }

  describeConfigs(resource: ConfigResource, keys?: readonly string[]): Promise<ConfigEntry[]> {
    this.#check();
    return describeConfigs(this.#cluster, resource, keys);
  }

  /** Sets and deletes configs; the others keep their values. */
  alterConfigs(
    resource: ConfigResource,
    changes: ConfigChanges,
    options: AlterConfigsOptions = {},
  ): Promise<void> {
    this.#check();
    return alterConfigs(this.#cluster, resource, changes, options);
  }

  /** Offsets of every partition of a topic: earliest, latest, or the first at/after a time. */
  async listOffsets(
    topic: string,
    spec: OffsetSpec = 'latest',
  ): Promise<{ partition: number; offset: number }[]> {
    this.#check();
    const metadata = await this.#cluster.describeTopics([topic]);
    const info = metadata.topics.get(topic);
    if (info === undefined || info.errorCode !== ErrorCode.NONE) {
      throw new KafkaError(info?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, {
        apiName: 'Metadata',
        topic,
      });
    }
    const timestamp =
      spec === 'earliest'
        ? EARLIEST_TIMESTAMP
        : spec === 'latest'
          ? LATEST_TIMESTAMP
          : spec.timestampMs;
    const answers = await listOffsets(
      this.#cluster,
      info.partitions.map((p) => ({ topic, partition: p.partition, timestamp })),
    );
    return answers.map((a) => ({ partition: a.partition, offset: a.offset }));
  }

  listGroups(): Promise<GroupListing[]> {
    this.#check();
    return listGroups(this.#cluster);
  }

  describeGroup(groupId: string): Promise<GroupDescription> {
    this.#check();
    return describeGroup(this.#groups(), groupId);
  }

  /** The group, and per partition its committed offset, log end offset, lag and owner. */
  describeGroupLag(
    groupId: string,
  ): Promise<{ group: GroupDescription; partitions: PartitionLag[] }> {
    this.#check();
    return describeGroupLag(this.#groups(), groupId);
  }

  async fetchOffsets(
    groupId: string,
  ): Promise<{ topic: string; partition: number; offset: number }[]> {
    this.#check();
    const offsets = await fetchCommittedOffsets(this.#groups(), groupId, null);
    return [...offsets].map(([key, offset]) => {
      const at = key.lastIndexOf(':');
      return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)), offset };
    });
  }

  /** Commits offsets for a group that has no active members (as kafka-consumer-groups does). */
  setOffsets(
    groupId: string,
    offsets: readonly { topic: string; partition: number; offset: number }[],
  ): Promise<void> {
    this.#check();
    return commitOffsets(this.#groups(), groupId, offsets);
  }

  /** Moves an empty group's committed offsets; `dryRun` only reports what would change. */
  resetOffsets(args: {
    groupId: string;
    topic: string;
    partitions?: readonly number[];
    target: ResetTarget;
    dryRun?: boolean;
  }): Promise<OffsetResetResult[]> {
    this.#check();
    return resetGroupOffsets(this.#groups(), { ...args, dryRun: args.dryRun ?? false });
  }

  deleteGroups(groupIds: readonly string[]): Promise<void> {
    this.#check();
    return deleteGroups(this.#groups(), groupIds);
  }

  async describeCluster(): Promise<ClusterDescription> {
    this.#check();
    const metadata = await this.#cluster.refreshMetadata();
    return {
      clusterId: metadata.clusterId,
      controllerId: metadata.controllerId,
      brokers: [...metadata.brokers.values()].sort((a, b) => a.nodeId - b.nodeId),
    };
  }

  /**
   * The controller quorum's state (DescribeQuorum, API 55): its leader, epoch, high
   * watermark, and how far each voter and observer has replicated the metadata log.
   */
  describeQuorum(): Promise<QuorumDescription> {
    this.#check();
    return describeQuorum(this.#cluster);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#cluster.close();
  }

  #groups() {
    return { cluster: this.#cluster, coordinators: this.#coordinators };
  }

  #check(): void {
    if (this.#closed) throw new ClosedError('Admin');
  }
}
