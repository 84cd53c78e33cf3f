import { FindCoordinator, JoinGroup, Metadata, ErrorCode } from '@rill/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, waitFor } from '@rill/testkit';
import { RawKafkaClient } from '../support/raw-kafka-client.js';

const topic = 'ledger';
const groupId = 'durable';
const offsetsTopic = '__consumer_offsets';

/** Kafka's Utils.abs(groupId.hashCode) % partitions, written out again as an independent check. */
function offsetsPartitionOf(group: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < group.length; i++) hash = (Math.imul(hash, 31) + group.charCodeAt(i)) | 0;
  return (hash === -0x8000_0000 ? 0 : Math.abs(hash)) % partitions;
}

/**
 * Committed offsets survive the coordinator: kill -9 the leader of the group's
 * __consumer_offsets partition, and the broker that takes the partition over replays it
 * and answers OffsetFetch with the same offsets (I8: acknowledged commits are not lost).
 */
describe('group coordinator failover on three nodes', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 3,
      roles: 'broker,controller',
      properties: {
        'group.initial.rebalance.delay.ms': 100,
        'auto.create.topics.enable': false,
        'broker.session.timeout.ms': 3000,
        'broker.heartbeat.interval.ms': 500,
        'offsets.topic.num.partitions': 10,
      },
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  function kafka(): Kafka {
    return new Kafka({ clientId: 'failover', brokers: cluster.bootstrap, logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  }

  async function consume(expected: number): Promise<string[]> {
    const consumer = kafka().consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        seen.push(message.value!.toString());
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      },
    });
    await waitFor(() => seen.length >= expected, { timeoutMs: 30_000, description: `${expected} records consumed` });
    await consumer.disconnect();
    return seen;
  }

  async function committed(): Promise<Record<number, string>> {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return Object.fromEntries(offsets!.partitions.map((p) => [p.partition, p.offset]));
    } finally {
      await admin.disconnect();
    }
  }

  it('keeps committed offsets when the coordinator is killed, and the group resumes from them', async () => {
    const client = kafka();
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3 }] });
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 90 }, (_, i) => ({ key: `k${i}`, value: `before-${i}` })) });

    expect(await consume(90)).toHaveLength(90);
    const before = await committed();
    expect(Object.values(before).reduce((sum, o) => sum + Number(o), 0)).toBe(90);

    const raw = await RawKafkaClient.connect(cluster.nodes[0]!.kafkaPort);
    const found = await raw.request(FindCoordinator, 0, { key: groupId, keyType: 0 });
    expect(found.errorCode).toBe(ErrorCode.NONE);
    const metadata = await raw.request(Metadata, 4, { topics: [{ name: offsetsTopic }], allowAutoTopicCreation: false });
    raw.close();
    const offsets = metadata.topics[0]!;
    expect(offsets.isInternal).toBe(true);
    expect(offsets.partitions).toHaveLength(10);
    const index = offsetsPartitionOf(groupId, 10);
    expect(offsets.partitions.find((p) => p.partitionIndex === index)!.leaderId).toBe(found.nodeId);
    expect(offsets.partitions.find((p) => p.partitionIndex === index)!.replicaNodes).toHaveLength(3);

    // Another broker is not the coordinator, and says so.
    const other = cluster.nodes.find((n) => n.nodeId !== found.nodeId)!;
    const wrong = await RawKafkaClient.connect(other.kafkaPort);
    const refused = await wrong.request(JoinGroup, 2, {
      groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    wrong.close();
    expect(refused.errorCode).toBe(ErrorCode.NOT_COORDINATOR);

    const coordinator = cluster.node(found.nodeId);
    await coordinator.kill();
    const after = await waitFor(async () => {
      const now = await committed();
      return Object.keys(now).length === 3 ? now : null;
    }, { timeoutMs: 20_000, description: 'OffsetFetch to answer from the new coordinator' });
    expect(after).toEqual(before);

    await producer.send({ topic, acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `after-${i}` })) });
    await producer.disconnect();
    await admin.disconnect();
    const resumed = await consume(30);
    expect(resumed.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `after-${i}`).sort());
    expect(Object.values(await committed()).reduce((sum, o) => sum + Number(o), 0)).toBe(120);
    await cluster.waitForMetric(new RegExp(`^rill_consumer_group_committed_offset\\{group="${groupId}",topic="${topic}",partition="\\d"\\} \\d+$`, 'm'), {
      timeoutMs: 5_000,
      description: 'the new coordinator to report the committed offsets',
    });
  });
});
