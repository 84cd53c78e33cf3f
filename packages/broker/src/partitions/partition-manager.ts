import { readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { LeaderEpochCache } from '@rill/replication';
import { Log } from '@rill/storage';
import type { BrokerConfig } from '../config/broker-config.js';
import { producerSnapshotsPerPartitionMax, producersPerPartitionMax } from '../limits.js';
import type { ClusterView, TopicView } from '../metadata/cluster-view.js';
import type { NodeMetrics } from '../observability/metrics.js';
import { FetchPurgatory } from './fetch-purgatory.js';
import { flushFailureMessage } from './flush-failure.js';
import { readHighWatermarks, writeHighWatermarks } from './high-watermark-checkpoint.js';
import { readLeaderEpochCheckpoint } from './leader-epoch-checkpoint.js';
import { logConfigFor, sameLogConfig } from './log-config.js';
import { Partition, partitionKey, type PartitionEvents } from './partition.js';
import { ProducePurgatory } from './produce-purgatory.js';
import { ProducerStateManager } from './producer-state-manager.js';

export interface PartitionManagerOptions {
  readonly nodeId: number;
  readonly config: BrokerConfig;
  readonly logDirs: readonly string[];
  readonly metrics: NodeMetrics;
  readonly logger: Logger;
  /** False while this broker's controller session may have lapsed (see ProducePurgatory). */
  readonly mayAcknowledge: () => boolean;
}

/**
 * The partition replicas this node hosts, opened from and kept in step with the metadata:
 * a created topic gets its logs, a deleted one loses them. It holds the purgatories their
 * events wake, and runs retention, the time-based flush and the high-watermark checkpoint
 * on their schedules. Which role each replica plays is the ReplicaManager's business.
 */
export class PartitionManager {
  readonly #options: PartitionManagerOptions;
  readonly #partitions = new Map<string, Partition>();
  readonly #partitionsPerDir = new Map<string, number>();
  /** Consumer fetches, woken when a high watermark moves. */
  readonly consumerFetches = new FetchPurgatory();
  /** Follower fetches, woken when a leader's log grows. */
  readonly replicaFetches = new FetchPurgatory();
  readonly produces: ProducePurgatory;
  readonly #events: PartitionEvents;
  readonly #timers: NodeJS.Timeout[] = [];
  #storedHighWatermarks = new Map<string, number>();

  constructor(options: PartitionManagerOptions) {
    this.#options = options;
    for (const dir of options.logDirs) this.#partitionsPerDir.set(dir, 0);
    this.produces = new ProducePurgatory(options.mayAcknowledge);
    this.#events = {
      appended: (partition) => this.replicaFetches.notify(partition.key),
      highWatermarkAdvanced: (partition) => {
        this.consumerFetches.notify(partition.key);
        this.produces.check(partition);
      },
    };
  }

  get(topic: string, index: number): Partition | undefined {
    return this.#partitions.get(partitionKey(topic, index));
  }

  all(): IterableIterator<Partition> {
    return this.#partitions.values();
  }

  /** Opens (and recovers) every local replica the view names, and removes stray logs. */
  async load(view: ClusterView): Promise<void> {
    for (const dir of this.#options.logDirs) {
      for (const [name, offset] of readHighWatermarks(dir)) this.#storedHighWatermarks.set(name, offset);
    }
    const existing = await this.#existingDirs();
    await this.#sync(view, existing);
    this.#storedHighWatermarks = new Map();
    for (const [name, dir] of existing) {
      if (this.#partitions.has(name)) continue;
      this.#options.logger.warn({ dir: join(dir, name) }, 'removing a partition log that the metadata no longer names');
      await rm(join(dir, name), { recursive: true, force: true });
    }
  }

  /**
   * Makes the open replicas match the view: opens the ones it assigns here, deletes the
   * ones whose topic is gone (a topic re-created under the same name has a new id).
   */
  sync(view: ClusterView): Promise<void> {
    return this.#sync(view, new Map());
  }

  async #sync(view: ClusterView, existing: ReadonlyMap<string, string>): Promise<void> {
    for (const partition of [...this.#partitions.values()]) {
      if (view.topics.get(partition.topic)?.topicId !== partition.topicId) await this.#delete(partition);
    }
    for (const topic of view.topics.values()) {
      this.#applyConfigs(topic);
      await this.#openTopic(topic, existing);
    }
    this.#options.metrics.partitions.set(this.#partitions.size);
  }

  /**
   * A topic's configs changed (AlterConfigs): its open logs take the new segment, retention
   * and flush settings now. min.insync.replicas reaches a partition at its next leadership.
   */
  #applyConfigs(topic: TopicView): void {
    const config = logConfigFor(this.#options.config, topic.configs);
    for (const assignment of topic.partitions) {
      const partition = this.#partitions.get(partitionKey(topic.name, assignment.partition));
      if (partition === undefined || partition.topicId !== topic.topicId || sameLogConfig(partition.log.config, config)) continue;
      try {
        partition.log.updateConfig(config);
        this.#options.logger.info({ partition: partition.key, config }, 'log settings changed');
      } catch (error) {
        this.#options.logger.error({ err: error, partition: partition.key }, 'could not apply changed topic configs');
      }
    }
  }

  startSchedules(): void {
    const { config } = this.#options;
    this.#timers.push(setInterval(() => this.#runRetention(), config.int('log.retention.check.interval.ms')));
    this.#timers.push(setInterval(() => this.#runFlush(), config.int('log.flush.scheduler.interval.ms')));
    this.#timers.push(setInterval(() => void this.#checkpointHighWatermarks(), config.int('replica.high.watermark.checkpoint.interval.ms')));
    this.#timers.push(setInterval(() => this.#expireProducers(), config.int('producer.id.expiration.check.interval.ms')));
    for (const timer of this.#timers) timer.unref();
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.consumerFetches.wakeAll();
    this.replicaFetches.wakeAll();
    this.produces.abortAll();
    await this.#checkpointHighWatermarks();
    for (const partition of this.#partitions.values()) {
      // The state as of the log end, so the next start reads no batch to rebuild it.
      partition.producers.snapshot();
      await partition.log.close();
    }
    this.#partitions.clear();
  }

  /** Per-partition gauges (size, high watermark, ISR health), refreshed when Prometheus scrapes. */
  reportGauges(): void {
    const { metrics } = this.#options;
    let underReplicated = 0;
    let underMinIsr = 0;
    for (const partition of this.#partitions.values()) {
      const labels = { topic: partition.topic, partition: String(partition.index) };
      metrics.logSize.set(labels, partition.log.sizeBytes);
      metrics.partitionHighWatermark.set(labels, partition.highWatermark);
      metrics.producerIdsActive.set(labels, partition.producers.size);
      const leader = partition.leader;
      if (leader?.underReplicated === true) underReplicated++;
      if (leader?.underMinIsr === true) underMinIsr++;
    }
    metrics.partitionsUnderReplicated.set(underReplicated);
    metrics.partitionsUnderMinIsr.set(underMinIsr);
  }

  async #openTopic(topic: TopicView, existing: ReadonlyMap<string, string>): Promise<void> {
    for (const assignment of topic.partitions) {
      if (!assignment.replicas.includes(this.#options.nodeId)) continue;
      const name = partitionKey(topic.name, assignment.partition);
      if (this.#partitions.has(name)) continue;
      const dir = existing.get(name) ?? this.#leastUsedDir();
      const log = await Log.open({
        dir: join(dir, name),
        config: logConfigFor(this.#options.config, topic.configs),
        topicPartition: name,
      });
      if (log.recovery.truncatedBytes > 0 || log.recovery.deletedSegments > 0) {
        this.#options.logger.warn({ partition: name, recovery: log.recovery }, 'recovered a damaged log tail');
      }
      this.#partitionsPerDir.set(dir, (this.#partitionsPerDir.get(dir) ?? 0) + 1);
      const epochs = new LeaderEpochCache(readLeaderEpochCheckpoint(log.dir));
      // The checkpoint is written before the batches it names, so it may run past a log
      // that lost its tail in a crash; and retention may have moved the start since.
      epochs.truncateFromEnd(log.logEndOffset);
      epochs.truncateFromStart(log.logStartOffset);
      const producers = this.#loadProducers(log);
      const partition = new Partition({
        topic: topic.name,
        topicId: topic.topicId,
        index: assignment.partition,
        log,
        epochs,
        producers,
        highWatermark: this.#storedHighWatermarks.get(name) ?? 0,
        events: this.#events,
        flushOnAck: this.#options.config.bool('log.flush.on.ack'),
      });
      this.#partitions.set(name, partition);
    }
  }

  async #delete(partition: Partition): Promise<void> {
    this.#partitions.delete(partition.key);
    partition.becomeOffline(partition.leaderEpoch);
    this.produces.check(partition);
    const labels = { topic: partition.topic, partition: String(partition.index) };
    this.#options.metrics.logSize.remove(labels);
    this.#options.metrics.partitionHighWatermark.remove(labels);
    this.#options.metrics.producerIdsActive.remove(labels);
    await partition.log.delete();
  }

  /** The log's producer state: its snapshot and the batch headers after it. */
  #loadProducers(log: Log): ProducerStateManager {
    const { state, load } = ProducerStateManager.load(log, {
      producersMax: producersPerPartitionMax,
      snapshotsRetained: producerSnapshotsPerPartitionMax,
      logger: this.#options.logger,
    });
    if (load.batchesRead > 0) {
      this.#options.logger.info({ partition: log.topicPartition, ...load, producers: state.size }, 'rebuilt producer state from the log');
    }
    return state;
  }

  /** producer.id.expiration.ms: forget producers whose last batch is that old. */
  #expireProducers(): void {
    const expirationMs = this.#options.config.int('producer.id.expiration.ms');
    const nowMs = Date.now();
    for (const partition of this.#partitions.values()) partition.producers.expire(nowMs, expirationMs);
  }

  /** Partition directories already on disk, by name, with the log dir holding each. */
  async #existingDirs(): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const dir of this.#options.logDirs) {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && /-\d+$/.test(entry.name) && !entry.name.startsWith('__cluster_metadata')) {
          found.set(entry.name, dir);
        }
      }
    }
    return found;
  }

  #leastUsedDir(): string {
    let best = this.#options.logDirs[0]!;
    for (const [dir, count] of this.#partitionsPerDir) {
      if (count < this.#partitionsPerDir.get(best)!) best = dir;
    }
    return best;
  }

  #runRetention(): void {
    for (const partition of this.#partitions.values()) {
      try {
        const { deletedSegments } = partition.log.applyRetention();
        if (deletedSegments > 0) {
          partition.logStartMoved();
          this.#options.logger.info({ partition: partition.key, deletedSegments }, 'retention deleted segments');
        }
      } catch (error) {
        this.#options.logger.error({ err: error, partition: partition.key }, 'retention failed');
      }
    }
  }

  /** Writes each log dir's high watermarks (replica.high.watermark.checkpoint.interval.ms). */
  async #checkpointHighWatermarks(): Promise<void> {
    const byDir = new Map<string, Map<string, number>>(this.#options.logDirs.map((dir) => [resolve(dir), new Map()]));
    for (const partition of this.#partitions.values()) {
      byDir.get(dirname(resolve(partition.log.dir)))?.set(partition.key, partition.highWatermark);
    }
    for (const [dir, highWatermarks] of byDir) {
      try {
        await writeHighWatermarks(dir, highWatermarks);
      } catch (error) {
        this.#options.logger.error({ err: error, dir }, 'could not checkpoint high watermarks');
      }
    }
  }

  #runFlush(): void {
    for (const partition of this.#partitions.values()) {
      partition.log.maybeFlush().catch((error: unknown) => {
        this.#options.logger.fatal({ err: error, partition: partition.key }, flushFailureMessage(error, partition.log.dir));
        process.exit(70);
      });
    }
  }
}
