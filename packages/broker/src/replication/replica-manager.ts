import type { AlterPartitionItem, AlterPartitionOutcome } from '@rill/controller-quorum';
import { ErrorCode } from '@rill/protocol';
import type { IsrProposal, PartitionLeader } from '@rill/replication';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import type { ClusterView, PartitionView } from '../metadata/cluster-view.js';
import { grpcMessageBytesMax } from '../limits.js';
import type { NodeMetrics } from '../observability/metrics.js';
import { minInsyncReplicasFor } from '../partitions/log-config.js';
import type { Partition } from '../partitions/partition.js';
import type { PartitionManager } from '../partitions/partition-manager.js';
import { BrokerEpochs } from './broker-epochs.js';
import { ReplicaFetcher, type FetchSettings } from './replica-fetcher.js';
import { replicationClient, type ReplicationApi } from './replication-rpc.js';

export interface ReplicaManagerOptions {
  readonly nodeId: number;
  /** This broker's registration with the controller. */
  readonly incarnationId: string;
  readonly clusterId: string;
  readonly config: BrokerConfig;
  readonly partitions: PartitionManager;
  /** The latest metadata, which moves on also when only brokers change (a re-registration). */
  readonly currentView: () => ClusterView;
  /** Sends one ISR change to the active controller; null when none answered in time. */
  readonly alterPartition: (item: AlterPartitionItem) => Promise<AlterPartitionOutcome | null>;
  readonly metrics: NodeMetrics;
  readonly logger: Logger;
  /** For tests: how to reach a leader broker's Replication service. */
  readonly connect?: (address: string) => ReplicationApi;
}

/** Largest leader reply to a follower fetch: grpcMessageBytesMax less room for the envelope. */
export const replicaFetchResponseBytesMax = grpcMessageBytesMax - 1024 * 1024;

/**
 * Gives each local replica the role the metadata names (leader, follower of some broker,
 * or offline), runs one fetcher per leader broker for the followers, and sends the leaders'
 * ISR changes to the controller (one in flight per partition; the core decides when).
 */
export class ReplicaManager {
  readonly #options: ReplicaManagerOptions;
  readonly #fetchers = new Map<number, ReplicaFetcher>();
  readonly #settings: FetchSettings;
  /** The proposal each leader has out, so a late answer is never taken for a newer one's. */
  readonly #proposals = new WeakMap<PartitionLeader, IsrProposal>();
  readonly #brokerEpochs = new BrokerEpochs();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(options: ReplicaManagerOptions) {
    this.#options = options;
    const { config } = options;
    this.#settings = {
      maxWaitMs: config.int('replica.fetch.wait.max.ms'),
      minBytes: config.int('replica.fetch.min.bytes'),
      partitionMaxBytes: config.int('replica.fetch.max.bytes'),
      responseMaxBytes: Math.min(config.int('replica.fetch.response.max.bytes'), replicaFetchResponseBytesMax),
      backoffMs: config.int('replica.fetch.backoff.ms'),
    };
  }

  /** Starts the periodic ISR check: Kafka looks for lagging followers every replica.lag.time.max.ms / 2. */
  start(): void {
    const periodMs = Math.max(50, Math.floor(this.#options.config.int('replica.lag.time.max.ms') / 2));
    this.#timer = setInterval(() => this.#checkIsrs(), periodMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    await Promise.all([...this.#fetchers.values()].map((fetcher) => fetcher.stop()));
    this.#fetchers.clear();
  }

  /** Makes every local replica play the role this view gives it. */
  apply(view: ClusterView): void {
    if (this.#stopped) return;
    const nowMs = Date.now();
    for (const partition of this.#options.partitions.all()) {
      const topic = view.topics.get(partition.topic);
      const assignment = topic?.topicId === partition.topicId ? topic.partitions[partition.index] : undefined;
      if (assignment === undefined) continue;
      if (assignment.leader === this.#options.nodeId) this.#lead(partition, assignment, topic!.configs, nowMs);
      else if (assignment.leader >= 0) this.#follow(partition, assignment);
      else this.#goOffline(partition, assignment);
    }
    this.#dropGoneMembers();
  }

  /** The broker epoch a follower's fetch counts under; null when it is not the registered incarnation. */
  brokerEpochOf(replicaId: number, incarnationId: string): number | null {
    return this.#brokerEpochs.epochOf(replicaId, incarnationId, this.#options.currentView().incarnations.get(replicaId));
  }

  /** A follower fetched from one of our leaders: maybe it caught up and may join the ISR. */
  followerFetched(partition: Partition): void {
    this.#proposeIsrChange(partition);
  }

  #lead(partition: Partition, assignment: PartitionView, configs: Readonly<Record<string, string>>, nowMs: number): void {
    const leader = partition.leader;
    if (leader === null || leader.leaderEpoch < assignment.leaderEpoch) {
      this.#leaveFetcher(partition);
      partition.becomeLeader(assignment, {
        localId: this.#options.nodeId,
        minInsyncReplicas: minInsyncReplicasFor(this.#options.config, configs),
        replicaLagTimeMaxMs: this.#options.config.int('replica.lag.time.max.ms'),
        nowMs,
      });
      this.#options.partitions.produces.check(partition);
      this.#options.logger.info({ partition: partition.key, leaderEpoch: assignment.leaderEpoch, isr: assignment.isr }, 'leading');
      return;
    }
    if (assignment.partitionEpoch > leader.partitionEpoch) {
      const advanced = leader.metadataChanged(
        { isr: assignment.isr, partitionEpoch: assignment.partitionEpoch, replicas: assignment.replicas },
        nowMs,
      );
      partition.highWatermarkMaybeMoved(advanced);
      this.#options.partitions.produces.check(partition);
    }
  }

  #follow(partition: Partition, assignment: PartitionView): void {
    const follower = partition.follower;
    if (follower !== null && follower.leaderId === assignment.leader && follower.leaderEpoch === assignment.leaderEpoch) return;
    this.#leaveFetcher(partition);
    partition.becomeFollower(assignment.leader, assignment.leaderEpoch);
    this.#options.partitions.produces.check(partition);
    this.#fetcherFor(assignment.leader)?.add(partition);
  }

  #goOffline(partition: Partition, assignment: PartitionView): void {
    if (partition.role.kind === 'offline' && partition.leaderEpoch === assignment.leaderEpoch) return;
    this.#leaveFetcher(partition);
    partition.becomeOffline(assignment.leaderEpoch);
    this.#options.partitions.produces.check(partition);
  }

  #leaveFetcher(partition: Partition): void {
    for (const [leaderId, fetcher] of this.#fetchers) {
      if (!fetcher.has(partition)) continue;
      fetcher.remove(partition);
      if (fetcher.size === 0) {
        this.#fetchers.delete(leaderId);
        void fetcher.stop();
      }
    }
  }

  /** Deleted partitions leave their fetchers. */
  #dropGoneMembers(): void {
    const { partitions } = this.#options;
    for (const fetcher of [...this.#fetchers.values()]) {
      for (const partition of fetcher.members()) {
        if (partitions.get(partition.topic, partition.index) !== partition) this.#leaveFetcher(partition);
      }
    }
  }

  #fetcherFor(leaderId: number): ReplicaFetcher | null {
    const existing = this.#fetchers.get(leaderId);
    if (existing !== undefined) return existing;
    const address = this.#options.currentView().internalAddresses.get(leaderId);
    if (address === undefined) {
      this.#options.logger.warn({ leader: leaderId }, 'no internal address for the leader broker; cannot replicate from it yet');
      return null;
    }
    const options = this.#options;
    const fetcher = new ReplicaFetcher({
      selfId: options.nodeId,
      incarnationId: options.incarnationId,
      clusterId: options.clusterId,
      leaderId,
      client: (options.connect ?? replicationClient)(address),
      settings: this.#settings,
      metrics: options.metrics,
      logger: options.logger.child({ leader: leaderId }),
    });
    this.#fetchers.set(leaderId, fetcher);
    fetcher.start();
    return fetcher;
  }

  #checkIsrs(): void {
    for (const partition of this.#options.partitions.all()) {
      if (partition.leader !== null) this.#proposeIsrChange(partition);
    }
  }

  #proposeIsrChange(partition: Partition): void {
    const leader = partition.leader;
    if (leader === null) return;
    const proposal = leader.proposeIsrChange(Date.now(), (brokerId) => this.#unfenced(brokerId));
    if (proposal === null) return;
    this.#proposals.set(leader, proposal);
    const current = (): boolean => partition.leader === leader && this.#proposals.get(leader) === proposal;
    const before = leader.committedIsr.length;
    this.#options.alterPartition({
      topicId: partition.topicId,
      partition: partition.index,
      leaderEpoch: proposal.leaderEpoch,
      partitionEpoch: proposal.partitionEpoch,
      newIsr: proposal.newIsr,
      newIsrIncarnations: proposal.newIsrWithEpochs.map(({ brokerId, brokerEpoch }) => ({
        brokerId,
        incarnationId: brokerId === this.#options.nodeId
          ? this.#options.incarnationId
          : this.#brokerEpochs.incarnationOf(brokerId, brokerEpoch) ?? '',
      })),
    }).then(
      (outcome) => {
        if (!current()) return;
        if (outcome === null) {
          leader.isrChangeFailed();
          return;
        }
        partition.highWatermarkMaybeMoved(leader.isrChangeAnswered(outcome, Date.now()));
        this.#options.partitions.produces.check(partition);
        if (outcome.errorCode === ErrorCode.NONE) this.#countIsrChange(partition, before, outcome.isr);
        else this.#options.logger.info({ partition: partition.key, errorCode: outcome.errorCode }, 'the controller refused an ISR change');
      },
      (error: unknown) => {
        this.#options.logger.warn({ err: error, partition: partition.key }, 'ISR change failed; it will be proposed again');
        if (current()) leader.isrChangeFailed();
      },
    );
  }

  /** The metadata's brokers are the unfenced ones: only they may join an ISR. */
  #unfenced(brokerId: number): boolean {
    return this.#options.currentView().brokers.some((broker) => broker.nodeId === brokerId);
  }

  #countIsrChange(partition: Partition, before: number, isr: readonly number[]): void {
    const { metrics, logger } = this.#options;
    if (isr.length < before) metrics.isrShrinks.inc();
    if (isr.length > before) metrics.isrExpands.inc();
    logger.info({ partition: partition.key, isr }, isr.length < before ? 'ISR shrank' : 'ISR expanded');
  }
}
