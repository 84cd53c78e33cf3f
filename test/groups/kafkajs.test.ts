import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, waitFor } from '@rill/testkit';

const topic = 'jobs';
const partitions = 6;
const groupId = 'workers';

interface Worker {
  readonly name: string;
  readonly consumer: Consumer;
  /** Partitions of the last assignment this member got. */
  assigned: number[];
}

/**
 * kafkajs 2.2.4 consumer groups against three combined nodes: members share a 6-partition
 * RF 3 topic, a fourth joining and one leaving rebalance it, and because each member
 * commits after processing (autoCommit off), together they see every record exactly once.
 */
describe('kafkajs consumer group on three nodes', () => {
  let cluster: Cluster;
  let kafka: Kafka;
  let producer: Producer;
  const workers: Worker[] = [];
  /** Every record value processed, with the member that processed it. */
  const seen: { value: string; by: string }[] = [];

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 3,
      roles: 'broker,controller',
      properties: { 'group.initial.rebalance.delay.ms': 200, 'auto.create.topics.enable': false },
    });
    kafka = new Kafka({ clientId: 'groups', brokers: cluster.bootstrap, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }] });
    await admin.disconnect();
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    for (const worker of workers) await worker.consumer.disconnect().catch(() => undefined);
    await producer?.disconnect();
    await cluster?.destroy();
  });

  async function startWorker(name: string): Promise<Worker> {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
    const worker: Worker = { name, consumer, assigned: [] };
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      worker.assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        seen.push({ value: message.value!.toString(), by: name });
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      },
    });
    workers.push(worker);
    return worker;
  }

  async function produce(prefix: string, count: number): Promise<void> {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, value: `${prefix}${i}` })) });
  }

  async function waitForShares(members: Worker[], description: string): Promise<void> {
    await waitFor(
      () => {
        const owned = members.flatMap((w) => w.assigned).sort((a, b) => a - b);
        const fair = members.every((w) => w.assigned.length >= Math.floor(partitions / members.length));
        return fair && owned.length === partitions && owned.every((p, i) => p === i);
      },
      { timeoutMs: 30_000, description },
    );
  }

  it('shares partitions, rebalances on join and leave, and consumes every record exactly once', async () => {
    const first = await Promise.all(['a', 'b', 'c'].map((name) => startWorker(name)));
    await waitForShares(first, 'three members with two partitions each');
    expect(first.map((w) => w.assigned.length)).toEqual([2, 2, 2]);
    await produce('one-', 300);
    await waitFor(() => seen.length >= 300, { timeoutMs: 20_000, description: 'the first 300 records' });

    const fourth = await startWorker('d');
    await waitForShares([...first, fourth], 'four members sharing six partitions');
    await produce('two-', 300);
    await waitFor(() => new Set(seen.map((s) => s.value)).size >= 600, { timeoutMs: 20_000, description: '600 records' });
    expect(seen.filter((s) => s.by === 'd').length).toBeGreaterThan(0);

    const leaving = workers.find((w) => w.name === 'b')!;
    await leaving.consumer.disconnect();
    const staying = workers.filter((w) => w !== leaving);
    await waitForShares(staying, 'three members after one left');
    await produce('three-', 300);
    await waitFor(() => new Set(seen.map((s) => s.value)).size >= 900, { timeoutMs: 20_000, description: 'all 900 records' });

    const values = seen.map((s) => s.value);
    const duplicates = values.filter((v, i) => values.indexOf(v) !== i);
    expect(duplicates).toEqual([]);
    expect(values).toHaveLength(900);

    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const byPartition = new Map(committed[0]!.partitions.map((p) => [p.partition, p.offset]));
    for (const end of ends) expect(byPartition.get(end.partition)).toBe(end.high);
    const metrics = await Promise.all(cluster.running().map((n) => n.metrics()));
    expect(metrics.join('\n')).toMatch(new RegExp(`^rill_consumer_group_members\\{group="${groupId}"\\} 3$`, 'm'));
    expect(metrics.join('\n')).toMatch(new RegExp(`^rill_consumer_group_lag_records\\{group="${groupId}",topic="${topic}",partition="0"\\} 0$`, 'm'));
  });
});
