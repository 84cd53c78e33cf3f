import { Counter, Gauge, type MetricValue, type Registry } from 'prom-client';

type Labels = Readonly<Record<string, string | number>>;

/**
 * One metric under the name the JMX exporter (kafka_server_…, kafka_controller_…) or
 * kafka_exporter (kafka_consumergroup_…) gives it, copied on every scrape from the rill_…
 * metric that measures the same thing, so dashboards and alert rules written for Kafka
 * (Strimzi's, Grafana 7589) work unchanged.
 */
export interface KafkaAlias {
  readonly name: string;
  readonly source: string;
  readonly type: 'counter' | 'gauge';
  /** The alias's label names. */
  readonly labels: readonly string[];
  /** The alias's labels for one sample of the source, or null to leave the sample out. */
  readonly relabel?: (labels: Labels) => Labels | null;
  /** How samples that end up with the same labels combine. */
  readonly combine?: 'sum' | 'max';
}

const only = (label: string, value: string) => (labels: Labels): Labels | null => (labels[label] === value ? {} : null);
const renamed = (from: string, to: string) => ({ [from]: value, ...rest }: Labels): Labels => ({ [to]: value!, ...rest });
const topicLabels = ['topic'];
const partitionLabels = ['topic', 'partition'];
const groupLabels = ['consumergroup', 'topic', 'partition'];

/** The aliases, by Kafka name. Sources missing from the registry give empty aliases. */
export const kafkaAliases: readonly KafkaAlias[] = [
  { name: 'kafka_server_brokertopicmetrics_bytesin_total', source: 'rill_topic_bytes_in_total', type: 'counter', labels: topicLabels },
  { name: 'kafka_server_brokertopicmetrics_bytesout_total', source: 'rill_topic_bytes_out_total', type: 'counter', labels: topicLabels },
  { name: 'kafka_server_brokertopicmetrics_messagesin_total', source: 'rill_topic_records_in_total', type: 'counter', labels: topicLabels },
  {
    name: 'kafka_server_brokertopicmetrics_replicationbytesin_total', source: 'rill_replication_bytes_in_total', type: 'counter',
    labels: [], relabel: () => ({}), combine: 'sum',
  },
  {
    name: 'kafka_server_brokertopicmetrics_totalproducerequests_total', source: 'rill_requests_total', type: 'counter',
    labels: [], relabel: only('api', 'Produce'), combine: 'sum',
  },
  {
    name: 'kafka_server_brokertopicmetrics_totalfetchrequests_total', source: 'rill_requests_total', type: 'counter',
    labels: [], relabel: only('api', 'Fetch'), combine: 'sum',
  },
  {
    name: 'kafka_network_requestmetrics_requests_total', source: 'rill_requests_total', type: 'counter',
    labels: ['request'], relabel: ({ api }) => ({ request: api! }), combine: 'sum',
  },
  { name: 'kafka_server_replicamanager_underreplicatedpartitions', source: 'rill_partitions_under_replicated', type: 'gauge', labels: [] },
  { name: 'kafka_server_replicamanager_underminisrpartitioncount', source: 'rill_partitions_under_min_isr', type: 'gauge', labels: [] },
  { name: 'kafka_server_replicamanager_partitioncount', source: 'rill_partitions', type: 'gauge', labels: [] },
  { name: 'kafka_server_replicamanager_leadercount', source: 'rill_leader_partitions', type: 'gauge', labels: [] },
  { name: 'kafka_server_replicamanager_isrshrinks_total', source: 'rill_isr_shrinks_total', type: 'counter', labels: [] },
  { name: 'kafka_server_replicamanager_isrexpands_total', source: 'rill_isr_expands_total', type: 'counter', labels: [] },
  {
    name: 'kafka_server_replicafetchermanager_maxlag', source: 'rill_replica_fetch_lag_records', type: 'gauge',
    labels: [], relabel: () => ({}), combine: 'max',
  },
  { name: 'kafka_controller_kafkacontroller_activecontrollercount', source: 'rill_controller_active', type: 'gauge', labels: [] },
  { name: 'kafka_controller_kafkacontroller_offlinepartitionscount', source: 'rill_partitions_offline', type: 'gauge', labels: [] },
  {
    name: 'kafka_controller_kafkacontroller_activebrokercount', source: 'rill_cluster_brokers', type: 'gauge',
    labels: [], relabel: only('state', 'active'),
  },
  {
    name: 'kafka_controller_kafkacontroller_fencedbrokercount', source: 'rill_cluster_brokers', type: 'gauge',
    labels: [], relabel: only('state', 'fenced'),
  },
  {
    name: 'kafka_controller_controllerstats_uncleanleaderelections_total', source: 'rill_leader_elections_total', type: 'counter',
    labels: [], relabel: only('unclean', 'true'),
  },
  { name: 'kafka_server_raftmetrics_current_leader', source: 'rill_raft_leader_id', type: 'gauge', labels: [] },
  { name: 'kafka_server_raftmetrics_current_epoch', source: 'rill_raft_epoch', type: 'gauge', labels: [] },
  { name: 'kafka_server_raftmetrics_high_watermark', source: 'rill_raft_high_watermark', type: 'gauge', labels: [] },
  { name: 'kafka_server_socket_server_metrics_connection_count', source: 'rill_connections', type: 'gauge', labels: ['listener'] },
  { name: 'kafka_log_log_size', source: 'rill_log_size_bytes', type: 'gauge', labels: partitionLabels },
  {
    name: 'kafka_consumergroup_lag', source: 'rill_consumer_group_lag_records', type: 'gauge',
    labels: groupLabels, relabel: renamed('group', 'consumergroup'),
  },
  {
    name: 'kafka_consumergroup_current_offset', source: 'rill_consumer_group_committed_offset', type: 'gauge',
    labels: groupLabels, relabel: renamed('group', 'consumergroup'),
  },
  {
    name: 'kafka_consumergroup_members', source: 'rill_consumer_group_members', type: 'gauge',
    labels: ['consumergroup'], relabel: renamed('group', 'consumergroup'),
  },
];

/**
 * Registers every alias in `registry`. Each reads its source on scrape, so it costs nothing
 * between scrapes and never disagrees with the rill_… metric it copies.
 */
export function registerKafkaAliases(registry: Registry): void {
  for (const alias of kafkaAliases) {
    const read = async (): Promise<Map<string, { labels: Labels; value: number }>> => {
      const source = registry.getSingleMetric(alias.source);
      return source === undefined ? new Map() : aliasSamples(alias, (await source.get()).values);
    };
    const help = `Kafka-compatible alias of ${alias.source}.`;
    if (alias.type === 'counter') {
      new Counter({
        name: alias.name, help, labelNames: alias.labels, registers: [registry],
        async collect() {
          const samples = await read();
          this.reset();
          for (const { labels, value } of samples.values()) this.inc(labels, value);
        },
      });
    } else {
      new Gauge({
        name: alias.name, help, labelNames: alias.labels, registers: [registry],
        async collect() {
          const samples = await read();
          this.reset();
          for (const { labels, value } of samples.values()) this.set(labels, value);
        },
      });
    }
  }
}

/** The alias's samples from the source's, relabelled and combined. */
export function aliasSamples(alias: KafkaAlias, values: readonly MetricValue<string>[]): Map<string, { labels: Labels; value: number }> {
  const samples = new Map<string, { labels: Labels; value: number }>();
  for (const sample of values) {
    const labels = alias.relabel ? alias.relabel(sample.labels as Labels) : (sample.labels as Labels);
    if (labels === null) continue;
    const picked: Record<string, string | number> = {};
    for (const name of alias.labels) {
      if (labels[name] !== undefined) picked[name] = labels[name];
    }
    const key = JSON.stringify(alias.labels.map((name) => picked[name] ?? null));
    const previous = samples.get(key);
    if (previous === undefined) samples.set(key, { labels: picked, value: sample.value });
    else if (alias.combine === 'max') previous.value = Math.max(previous.value, sample.value);
    else previous.value += sample.value;
  }
  return samples;
}
