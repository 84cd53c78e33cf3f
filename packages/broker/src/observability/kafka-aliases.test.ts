import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { kafkaAliases, registerKafkaAliases } from './kafka-aliases.js';
import { NodeMetrics } from './metrics.js';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Kafka-compatible metric aliases', () => {
  it('copy the rill_ metrics a node exports on every scrape', async () => {
    const metrics = new NodeMetrics();
    metrics.topicBytesIn.inc({ topic: 'orders' }, 4096);
    metrics.requests.inc({ api: 'Produce', outcome: 'ok' }, 3);
    metrics.requests.inc({ api: 'Produce', outcome: 'error' });
    metrics.requests.inc({ api: 'Fetch', outcome: 'ok' }, 2);
    metrics.partitionsUnderReplicated.set(2);
    metrics.controllerActive.set(1);
    metrics.clusterBrokers.set({ state: 'active' }, 3);
    metrics.clusterBrokers.set({ state: 'fenced' }, 1);
    metrics.replicaFetchLag.set({ topic: 'a', partition: '0' }, 7);
    metrics.replicaFetchLag.set({ topic: 'b', partition: '1' }, 12);
    metrics.leaderElections.inc({ unclean: 'false' }, 5);

    let text = await metrics.registry.metrics();
    expect(sample(text, 'kafka_server_brokertopicmetrics_bytesin_total{topic="orders"}')).toBe(4096);
    expect(sample(text, 'kafka_server_brokertopicmetrics_totalproducerequests_total')).toBe(4);
    expect(sample(text, 'kafka_network_requestmetrics_requests_total{request="Produce"}')).toBe(4);
    expect(sample(text, 'kafka_network_requestmetrics_requests_total{request="Fetch"}')).toBe(2);
    expect(sample(text, 'kafka_server_replicamanager_underreplicatedpartitions')).toBe(2);
    expect(sample(text, 'kafka_controller_kafkacontroller_activecontrollercount')).toBe(1);
    expect(sample(text, 'kafka_controller_kafkacontroller_activebrokercount')).toBe(3);
    expect(sample(text, 'kafka_controller_kafkacontroller_fencedbrokercount')).toBe(1);
    expect(sample(text, 'kafka_server_replicafetchermanager_maxlag')).toBe(12);
    expect(sample(text, 'kafka_controller_controllerstats_uncleanleaderelections_total')).toBe(0);
    expect(text).toContain('# TYPE kafka_server_brokertopicmetrics_bytesin_total counter');
    expect(text).toContain('# TYPE kafka_server_replicamanager_underreplicatedpartitions gauge');

    metrics.topicBytesIn.inc({ topic: 'orders' }, 1);
    metrics.partitionsUnderReplicated.set(0);
    text = await metrics.registry.metrics();
    expect(sample(text, 'kafka_server_brokertopicmetrics_bytesin_total{topic="orders"}')).toBe(4097);
    expect(sample(text, 'kafka_server_replicamanager_underreplicatedpartitions')).toBe(0);
  });

  it('rename the group label as kafka_exporter does', async () => {
    const registry = new Registry();
    const lag = new Gauge({ name: 'rill_consumer_group_lag_records', help: 'lag', labelNames: ['group', 'topic', 'partition'], registers: [registry] });
    registerKafkaAliases(registry);
    lag.set({ group: 'billing', topic: 'orders', partition: '3' }, 42);
    const text = await registry.metrics();
    expect(sample(text, 'kafka_consumergroup_lag{consumergroup="billing",topic="orders",partition="3"}')).toBe(42);
  });

  it('are empty, not missing, while their source does not exist', async () => {
    const registry = new Registry();
    new Counter({ name: 'rill_topic_bytes_in_total', help: 'in', labelNames: ['topic'], registers: [registry] });
    registerKafkaAliases(registry);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE kafka_consumergroup_lag gauge');
    expect(text).not.toMatch(/^kafka_consumergroup_lag\{/m);
  });

  it('each copy a metric NodeMetrics declares, or a consumer group one', () => {
    const registered = new Set(new NodeMetrics().registry.getMetricsAsArray().map((m) => m.name));
    for (const alias of kafkaAliases) {
      expect(registered.has(alias.source) || alias.source.startsWith('rill_consumer_group_'), alias.source).toBe(true);
      expect(alias.name).toMatch(/^kafka_/);
      expect(alias.type === 'counter').toBe(alias.name.endsWith('_total'));
    }
  });
});
