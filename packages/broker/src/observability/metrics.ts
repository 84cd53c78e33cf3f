import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerKafkaAliases } from './kafka-aliases.js';

/**
 * Every metric a node exports, in one registry. Names follow Prometheus practice (base
 * units, `_total` on counters) and read like Kafka's to Kafka users.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly #scrapeHooks: (() => void)[] = [];

  readonly requests = new Counter({
    name: 'rill_requests_total',
    help: 'Kafka requests handled, by API and outcome.',
    labelNames: ['api', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'rill_request_duration_seconds',
    help: 'Time from a request frame arriving to its response being ready, by API.',
    labelNames: ['api'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly topicBytesIn = new Counter({
    name: 'rill_topic_bytes_in_total',
    help: 'Record batch bytes appended by producers, by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly topicRecordsIn = new Counter({
    name: 'rill_topic_records_in_total',
    help: 'Records appended by producers, by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly topicBytesOut = new Counter({
    name: 'rill_topic_bytes_out_total',
    help: 'Record batch bytes sent to consumers, by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly topicRecordsOut = new Counter({
    name: 'rill_topic_records_out_total',
    help: 'Records sent to consumers (whole batches, so it may count records below the fetch offset), by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly logSize = new Gauge({
    name: 'rill_log_size_bytes',
    help: 'Bytes on disk of each partition log on this node.',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
    collect: () => {
      for (const hook of this.#scrapeHooks) hook();
    },
  });

  readonly partitions = new Gauge({
    name: 'rill_partitions',
    help: 'Partition replicas hosted on this node.',
    registers: [this.registry],
  });

  readonly connections = new Gauge({
    name: 'rill_connections',
    help: 'Open Kafka client connections, by listener.',
    labelNames: ['listener'] as const,
    registers: [this.registry],
  });

  readonly raftLeaderId = new Gauge({
    name: 'rill_raft_leader_id',
    help: 'Node id of the metadata quorum leader this node knows (the active controller), -1 if none.',
    registers: [this.registry],
  });

  readonly raftEpoch = new Gauge({
    name: 'rill_raft_epoch',
    help: 'Current epoch of the metadata quorum on this node.',
    registers: [this.registry],
  });

  readonly raftHighWatermark = new Gauge({
    name: 'rill_raft_high_watermark',
    help: 'Metadata log high watermark (committed offset + 1) known to this node.',
    registers: [this.registry],
  });

  readonly raftState = new Gauge({
    name: 'rill_raft_state',
    help: '1 for the quorum role this node is in, 0 for the others.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly raftCommitDuration = new Histogram({
    name: 'rill_raft_commit_duration_seconds',
    help: 'Time from proposing metadata records on the leader to their commit.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly raftElections = new Counter({
    name: 'rill_raft_elections_total',
    help: 'Times this node became leader of the metadata quorum.',
    registers: [this.registry],
  });

  readonly clusterBrokers = new Gauge({
    name: 'rill_cluster_brokers',
    help: 'Registered brokers in this node\'s metadata, by state (active or fenced).',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly controllerActive = new Gauge({
    name: 'rill_controller_active',
    help: '1 on the active controller (the metadata quorum leader), 0 elsewhere; the sum over nodes should be 1.',
    registers: [this.registry],
  });

  readonly partitionsOffline = new Gauge({
    name: 'rill_partitions_offline',
    help: 'Partitions without a leader; reported by the active controller only, 0 elsewhere.',
    registers: [this.registry],
  });

  readonly leaderPartitions = new Gauge({
    name: 'rill_leader_partitions',
    help: 'Partitions this broker leads.',
    registers: [this.registry],
  });

  readonly leaderElections = new Counter({
    name: 'rill_leader_elections_total',
    help: 'Partition leader elections this node has replayed; unclean when the new leader was outside the ISR.',
    labelNames: ['unclean'] as const,
    registers: [this.registry],
  });

  readonly partitionsUnderReplicated = new Gauge({
    name: 'rill_partitions_under_replicated',
    help: 'Partitions this broker leads whose ISR is smaller than their replica set.',
    registers: [this.registry],
  });

  readonly partitionsUnderMinIsr = new Gauge({
    name: 'rill_partitions_under_min_isr',
    help: 'Partitions this broker leads whose ISR is below min.insync.replicas: acks=all writes are refused.',
    registers: [this.registry],
  });

  readonly isrShrinks = new Counter({
    name: 'rill_isr_shrinks_total',
    help: 'ISR shrinks this broker made as a leader (a follower fell behind).',
    registers: [this.registry],
  });

  readonly isrExpands = new Counter({
    name: 'rill_isr_expands_total',
    help: 'ISR expansions this broker made as a leader (a follower caught up).',
    registers: [this.registry],
  });

  readonly replicaFetchLag = new Gauge({
    name: 'rill_replica_fetch_lag_records',
    help: 'Records this follower is behind its leader\'s log end, as of its last fetch.',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly replicationBytesIn = new Counter({
    name: 'rill_replication_bytes_in_total',
    help: 'Record batch bytes this broker appended as a follower, by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly partitionHighWatermark = new Gauge({
    name: 'rill_partition_high_watermark',
    help: 'High watermark of each partition replica on this node.',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly producerIdsActive = new Gauge({
    name: 'rill_producer_ids_active',
    help: 'Idempotent producers each partition replica on this node remembers (expired after producer.id.expiration.ms).',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly produceDuplicates = new Counter({
    name: 'rill_produce_duplicates_total',
    help: 'Idempotent producer batches recognised as retries of batches already in the log: answered with the original offsets, not appended again.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly consumerGroupMembers = new Gauge({
    name: 'rill_consumer_group_members',
    help: 'Members of each consumer group this node coordinates.',
    labelNames: ['group'] as const,
    registers: [this.registry],
  });

  readonly consumerGroupRebalances = new Counter({
    name: 'rill_consumer_group_rebalances_total',
    help: 'Rebalances completed (a group became Stable in a new generation) in groups this node coordinates.',
    registers: [this.registry],
  });

  readonly consumerGroupCommittedOffset = new Gauge({
    name: 'rill_consumer_group_committed_offset',
    help: 'Committed offset of each group and partition, in groups this node coordinates.',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly consumerGroupLag = new Gauge({
    name: 'rill_consumer_group_lag_records',
    help: 'High watermark minus committed offset, for groups this node coordinates and partitions it hosts.',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly buildInfo = new Gauge({
    name: 'rill_build_info',
    help: 'Always 1; labels describe the running build.',
    labelNames: ['version', 'node_id', 'roles'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    registerKafkaAliases(this.registry);
  }

  /** Runs `hook` on every scrape, to refresh gauges that are cheaper to read than to track. */
  beforeScrape(hook: () => void): void {
    this.#scrapeHooks.push(hook);
  }
}
