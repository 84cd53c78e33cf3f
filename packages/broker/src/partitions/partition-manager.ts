import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Log } from '@rill/storage';
import type { BrokerConfig } from '../config/broker-config.js';
import type { ClusterView, TopicView } from '../metadata/cluster-view.js';
import type { NodeMetrics } from '../observability/metrics.js';
import { FetchPurgatory } from './fetch-purgatory.js';
import { logConfigFor } from './log-config.js';
import { Partition, partitionKey } from './partition.js';

export interface PartitionManagerOptions {
  readonly nodeId: number;
  readonly config: BrokerConfig;
  readonly logDirs: readonly string[];
  readonly metrics: NodeMetrics;
  readonly logger: Logger;
}

/**
 * The partition replicas this node hosts, opened from and kept in step with the metadata:
 * a created topic gets its logs, a deleted one loses them. It also runs retention and the
 * time-based flush on their schedules.
 */
export class PartitionManager {
  readonly #options: PartitionManagerOptions;
  readonly #partitions = new Map<string, Partition>();
  readonly #partitionsPerDir = new Map<string, number>();
  readonly purgatory = new FetchPurgatory();
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(options: PartitionManagerOptions) {
    this.#options = options;
    for (const dir of options.logDirs) this.#partitionsPerDir.set(dir, 0);
  }

  get(topic: string, index: number): Partition | undefined {
    return this.#partitions.get(partitionKey(topic, index));
  }

  all(): IterableIterator<Partition> {
    return this.#partitions.values();
  }

  /** Opens (and recovers) every local replica the view names, and removes stray logs. */
  async load(view: ClusterView): Promise<void> {
    const existing = await this.#existingDirs();
    await this.#sync(view, existing);
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
    for (const topic of view.topics.values()) await this.#openTopic(topic, existing);
    this.#options.metrics.partitions.set(this.#partitions.size);
  }

  startSchedules(): void {
    const { config } = this.#options;
    this.#timers.push(setInterval(() => this.#runRetention(), config.int('log.retention.check.interval.ms')));
    this.#timers.push(setInterval(() => this.#runFlush(), config.int('log.flush.scheduler.interval.ms')));
    for (const timer of this.#timers) timer.unref();
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.purgatory.wakeAll();
    for (const partition of this.#partitions.values()) await partition.log.close();
    this.#partitions.clear();
  }

  /** Sizes for the log-size gauge, refreshed when Prometheus scrapes. */
  reportSizes(): void {
    for (const partition of this.#partitions.values()) {
      this.#options.metrics.logSize.set({ topic: partition.topic, partition: String(partition.index) }, partition.log.sizeBytes);
    }
  }

  async #openTopic(topic: TopicView, existing: ReadonlyMap<string, string>): Promise<void> {
    for (const assignment of topic.partitions) {
      if (!assignment.replicas.includes(this.#options.nodeId)) continue;
      const name = partitionKey(topic.name, assignment.partition);
      const open = this.#partitions.get(name);
      if (open !== undefined) {
        open.leaderEpochChanged(assignment.leaderEpoch);
        continue;
      }
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
      const partition = new Partition({
        topic: topic.name,
        topicId: topic.topicId,
        index: assignment.partition,
        log,
        leaderEpoch: assignment.leaderEpoch,
        onData: (p, bytes) => this.purgatory.dataArrived(p.key, bytes),
      });
      this.#partitions.set(name, partition);
    }
  }

  async #delete(partition: Partition): Promise<void> {
    this.#partitions.delete(partition.key);
    this.#options.metrics.logSize.remove({ topic: partition.topic, partition: String(partition.index) });
    await partition.log.delete();
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
          this.#options.logger.info({ partition: partition.key, deletedSegments }, 'retention deleted segments');
        }
      } catch (error) {
        this.#options.logger.error({ err: error, partition: partition.key }, 'retention failed');
      }
    }
  }

  #runFlush(): void {
    for (const partition of this.#partitions.values()) {
      partition.log.maybeFlush().catch((error: unknown) => {
        this.#options.logger.fatal({ err: error, partition: partition.key }, 'fsync failed; stopping (data may be lost)');
        process.exit(70);
      });
    }
  }
}
