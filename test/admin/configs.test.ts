import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel, type Admin as KafkaAdmin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, KafkaError } from '@rill/client';
import {
  ApiVersions,
  ConfigOperation,
  DescribeConfigs,
  ErrorCode,
  IncrementalAlterConfigs,
} from '@rill/protocol';
import { Cluster, waitFor } from '@rill/testkit';
import { runCli } from '../cli/run-cli.js';
import { RawKafkaClient } from '../support/raw-kafka-client.js';

/** Kafka's ConfigSource ids (DescribeConfigs v1+). */
const TOPIC_CONFIG = 1;
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;

/**
 * Topic and broker configs on a three-node cluster (every node a broker and a controller):
 * kafkajs describeConfigs/alterConfigs (DescribeConfigs v2, AlterConfigs v1), the bundled
 * Admin (IncrementalAlterConfigs v1), raw requests for the versions no client here sends,
 * and a changed topic config reaching the open logs on every replica.
 */
describe('topic and broker configs', () => {
  let cluster: Cluster;
  let kafka: Kafka;
  let kafkaAdmin: KafkaAdmin;
  let admin: Admin;

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 3,
      properties: {
        'auto.create.topics.enable': false,
        'log.retention.check.interval.ms': 200,
        // Set in the node's properties: DescribeConfigs must say STATIC_BROKER_CONFIG.
        'log.roll.ms': 3_600_000,
      },
    });
    kafka = new Kafka({ clientId: 'configs-test', brokers: cluster.bootstrap, logLevel: logLevel.NOTHING });
    kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    admin = new Admin({ brokers: cluster.bootstrap, clientId: 'configs-test' });
  });

  afterAll(async () => {
    await kafkaAdmin?.disconnect();
    await admin?.close();
    await cluster?.destroy();
  });

  async function kafkajsTopicConfigs(topic: string, includeSynonyms = false) {
    const { resources } = await kafkaAdmin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
      includeSynonyms,
    });
    return new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
  }

  it('kafkajs: describes a topic’s configs with their sources, and synonyms when asked', async () => {
    await kafkaAdmin.createTopics({
      topics: [{ topic: 'cfg-describe', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'retention.ms', value: '86400000' }] }],
    });
    const configs = await kafkajsTopicConfigs('cfg-describe', true);
    expect(configs.get('retention.ms')).toMatchObject({ configValue: '86400000', configSource: TOPIC_CONFIG, readOnly: false, isSensitive: false });
    expect(configs.get('segment.ms')).toMatchObject({ configValue: '3600000', configSource: STATIC_BROKER_CONFIG });
    expect(configs.get('segment.bytes')).toMatchObject({ configValue: '1073741824', configSource: DEFAULT_CONFIG, isDefault: true });
    expect(configs.get('cleanup.policy')).toMatchObject({ configValue: 'delete' });
    expect(configs.get('retention.ms')!.configSynonyms).toEqual([
      { configName: 'retention.ms', configValue: '86400000', configSource: TOPIC_CONFIG },
      { configName: 'log.retention.ms', configValue: '604800000', configSource: DEFAULT_CONFIG },
    ]);
    const only = await kafkaAdmin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg-describe', configNames: ['min.insync.replicas', 'no.such.key'] }],
      includeSynonyms: false,
    });
    expect(only.resources[0]!.configEntries.map((e) => e.configName)).toEqual(['min.insync.replicas']);
  });

  it('kafkajs: describes each broker’s own properties on that broker, all read-only', async () => {
    for (const node of cluster.nodes) {
      const { resources } = await kafkaAdmin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.BROKER, name: String(node.nodeId) }],
        includeSynonyms: false,
      });
      const configs = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
      expect(configs.get('node.id')).toMatchObject({ configValue: String(node.nodeId), configSource: STATIC_BROKER_CONFIG, readOnly: true });
      expect(configs.get('num.partitions')).toMatchObject({ configValue: '1', configSource: DEFAULT_CONFIG, readOnly: true });
      expect([...configs.values()].every((c) => c.readOnly && !c.isSensitive)).toBe(true);
    }
  });

  it('kafkajs: an unknown topic is UNKNOWN_TOPIC_OR_PARTITION, a broker config change INVALID_REQUEST', async () => {
    await expect(kafkajsTopicConfigs('cfg-missing')).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(
      kafkaAdmin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'log.retention.ms', value: '1000' }] }],
      }),
    ).rejects.toMatchObject({ type: 'INVALID_REQUEST' });
  });

  it('kafkajs: alterConfigs replaces the topic’s overrides, and every broker sees the change', async () => {
    await kafkaAdmin.createTopics({
      topics: [{ topic: 'cfg-alter', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'retention.ms', value: '5000000' }] }],
    });
    await kafkaAdmin.alterConfigs({
      validateOnly: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg-alter', configEntries: [{ name: 'max.message.bytes', value: '2048' }] }],
    });
    expect((await kafkajsTopicConfigs('cfg-alter')).get('retention.ms')!.configValue).toBe('5000000');
    await kafkaAdmin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg-alter', configEntries: [{ name: 'max.message.bytes', value: '2048' }] }],
    });
    for (const node of cluster.nodes) {
      const client = await RawKafkaClient.connect(node.kafkaPort);
      await waitFor(async () => {
        const response = await client.request(DescribeConfigs, 2, {
          resources: [{ resourceType: 2, resourceName: 'cfg-alter', configurationKeys: ['max.message.bytes', 'retention.ms'] }],
        });
        const values = Object.fromEntries(response.results[0]!.configs.map((c) => [c.name, [c.value, c.configSource]]));
        return values['max.message.bytes']?.[0] === '2048' && values['retention.ms']?.[1] === DEFAULT_CONFIG ? true : null;
      }, { timeoutMs: 5000, description: `node ${node.nodeId} to replay the change` });
      client.socket.destroy();
    }
    await expect(
      kafkaAdmin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg-alter', configEntries: [{ name: 'segment.bytes', value: '10' }] }],
      }),
    ).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
  });

  it('the bundled Admin alters incrementally: keys it does not name keep their values', async () => {
    await admin.createTopics([{ name: 'cfg-incremental', partitions: 1, replicationFactor: 3, configs: { 'retention.ms': '7000000', 'flush.ms': '1000' } }]);
    await admin.alterConfigs({ type: 'topic', name: 'cfg-incremental' }, { set: { 'segment.ms': '600000' }, delete: ['flush.ms'] });
    const configs = new Map((await admin.describeConfigs({ type: 'topic', name: 'cfg-incremental' })).map((c) => [c.name, c]));
    expect(configs.get('retention.ms')).toMatchObject({ value: '7000000', source: 'dynamic-topic' });
    expect(configs.get('segment.ms')).toMatchObject({ value: '600000', source: 'dynamic-topic' });
    expect(configs.get('flush.ms')).toMatchObject({ source: 'default' });
    await admin.alterConfigs({ type: 'topic', name: 'cfg-incremental' }, { set: { 'retention.ms': '1' } }, { validateOnly: true });
    expect((await admin.describeConfigs({ type: 'topic', name: 'cfg-incremental' }, ['retention.ms']))[0]!.value).toBe('7000000');
    const failure = await admin
      .alterConfigs({ type: 'topic', name: 'cfg-incremental' }, { set: { 'cleanup.policy': 'compact' } })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KafkaError);
    expect((failure as KafkaError).name).toBe('INVALID_CONFIG');
    const broker = await admin.describeConfigs({ type: 'broker', name: '2' }, ['node.id', 'log.roll.ms']);
    expect(broker).toEqual([
      { name: 'log.roll.ms', value: '3600000', source: 'static-broker', readOnly: true, sensitive: false },
      { name: 'node.id', value: '2', source: 'static-broker', readOnly: true, sensitive: false },
    ]);
  });

  it('rill topic alter-config sets, deletes and dry-runs; topic describe shows the overrides', async () => {
    const brokers = cluster.bootstrap.join(',');
    expect((await runCli(['topic', 'create', 'cfg-cli', '-p', '1', '-r', '3', '-c', 'flush.ms=1000'], { brokers })).code).toBe(0);
    const altered = await runCli(['topic', 'alter-config', 'cfg-cli', '-s', 'retention.ms=3600000', '-s', 'segment.bytes=1048576', '-d', 'flush.ms'], { brokers });
    expect(altered).toMatchObject({ code: 0, stdout: 'updated 3 config(s) of cfg-cli\n' });
    const described = await runCli(['topic', 'describe', 'cfg-cli'], { brokers });
    expect(described.stdout).toContain('Configs: retention.ms=3600000,segment.bytes=1048576\n');
    const dryRun = await runCli(['topic', 'alter-config', 'cfg-cli', '-s', 'retention.ms=1', '--dry-run', '--format', 'json'], { brokers });
    expect(JSON.parse(dryRun.stdout)).toMatchObject({ topic: 'cfg-cli', status: 'valid' });
    const bad = await runCli(['topic', 'alter-config', 'cfg-cli', '-s', 'min.insync.replicas=0'], { brokers });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('INVALID_CONFIG');
    expect(bad.stderr).toContain('min.insync.replicas=0 must be at least 1');
    const json = await runCli(['topic', 'describe', 'cfg-cli', '--format', 'json'], { brokers });
    const configs = (JSON.parse(json.stdout) as { configs: { name: string; value: string }[] }[])[0]!.configs;
    expect(configs.find((c) => c.name === 'retention.ms')!.value).toBe('3600000');
  });

  it('raw: advertises the config APIs and serves IncrementalAlterConfigs v0 and v1 (flexible) with Kafka’s codes', async () => {
    const client = await RawKafkaClient.connect(cluster.nodes[0]!.kafkaPort);
    const versions = await client.request(ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    const advertised = new Map(versions.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    expect([32, 33, 44, 55].map((key) => advertised.get(key))).toEqual([[0, 2], [0, 1], [0, 1], [0, 1]]);
    await admin.createTopics([{ name: 'cfg-raw', partitions: 1, replicationFactor: 1 }]);
    for (const version of [0, 1]) {
      const response = await client.request(IncrementalAlterConfigs, version, {
        resources: [
          { resourceType: 2, resourceName: 'cfg-raw', configs: [{ name: 'cleanup.policy', configOperation: ConfigOperation.APPEND, value: 'delete' }] },
          { resourceType: 2, resourceName: 'cfg-nope', configs: [{ name: 'retention.ms', configOperation: ConfigOperation.SET, value: '1' }] },
          { resourceType: 2, resourceName: 'cfg-raw2', configs: [] },
          { resourceType: 2, resourceName: 'cfg-raw2', configs: [] },
          { resourceType: 4, resourceName: '7', configs: [] },
          { resourceType: 8, resourceName: '1', configs: [] },
          { resourceType: 2, resourceName: 'cfg-raw3', configs: [{ name: 'retention.ms', configOperation: 9, value: '1' }] },
        ],
        validateOnly: false,
      });
      expect(response.responses.map((r) => [r.resourceName, r.errorCode])).toEqual([
        ['cfg-raw', ErrorCode.NONE],
        ['cfg-nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['cfg-raw2', ErrorCode.INVALID_REQUEST],
        ['cfg-raw2', ErrorCode.INVALID_REQUEST],
        ['7', ErrorCode.INVALID_REQUEST],
        ['1', ErrorCode.INVALID_REQUEST],
        ['cfg-raw3', ErrorCode.INVALID_REQUEST],
      ]);
      expect(response.responses.slice(1).every((r) => r.errorMessage !== null && r.errorMessage !== '')).toBe(true);
    }
    const described = await client.request(DescribeConfigs, 0, {
      resources: [
        { resourceType: 2, resourceName: 'cfg-raw', configurationKeys: ['cleanup.policy', 'retention.ms'] },
        { resourceType: 4, resourceName: '', configurationKeys: null },
        { resourceType: 4, resourceName: '3', configurationKeys: null },
        { resourceType: 32, resourceName: 'g', configurationKeys: null },
      ],
    });
    expect(described.results.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    expect(described.results[0]!.configs).toEqual([
      { name: 'cleanup.policy', value: 'delete', readOnly: false, isDefault: false, configSource: -1, isSensitive: false, synonyms: [] },
      { name: 'retention.ms', value: '604800000', readOnly: false, isDefault: true, configSource: -1, isSensitive: false, synonyms: [] },
    ]);
    expect(described.results[1]!.configs).toEqual([]);
    client.socket.destroy();
  });

  it('applies a changed segment.bytes and retention.ms to the open logs of every replica', async () => {
    await admin.createTopics([{ name: 'cfg-live', partitions: 1, replicationFactor: 3 }]);
    const producer = kafka.producer();
    await producer.connect();
    const send = async (count: number) => {
      for (let i = 0; i < count; i++) {
        await producer.send({ topic: 'cfg-live', acks: -1, messages: [{ value: 'x'.repeat(400) }] });
      }
    };
    const segments = (nodeId: number) =>
      readdirSync(join(cluster.node(nodeId).dataDir, 'cfg-live-0')).filter((f) => f.endsWith('.log')).length;
    await send(5);
    expect(cluster.nodes.map((n) => segments(n.nodeId))).toEqual([1, 1, 1]);
    await admin.alterConfigs({ type: 'topic', name: 'cfg-live' }, { set: { 'segment.bytes': '1024' } });
    await send(10);
    await waitFor(() => cluster.nodes.every((n) => segments(n.nodeId) >= 4) || null, {
      timeoutMs: 10_000,
      description: 'every replica to roll segments at the new segment.bytes',
    });
    await admin.alterConfigs({ type: 'topic', name: 'cfg-live' }, { set: { 'retention.ms': '1' } });
    await waitFor(async () => {
      const [earliest] = await admin.listOffsets('cfg-live', 'earliest');
      return earliest!.offset > 0 && cluster.nodes.every((n) => segments(n.nodeId) === 1) ? true : null;
    }, { timeoutMs: 10_000, description: 'retention to delete the closed segments on every replica' });
    await producer.disconnect();
  });
});
