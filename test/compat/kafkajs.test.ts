import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, waitFor } from '@rill/testkit';

describe('kafkajs 2.2.4 against one node', () => {
  let server: ServerProcess;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
    kafka = new Kafka({ clientId: 'compat', brokers: [server.bootstrap], logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await server?.destroy();
  });

  it('creates, lists, describes and deletes topics with the admin client', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 4 }, { topic: 'admin-b' }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 4 }] })).toBe(false);
    expect((await admin.listTopics()).sort()).toEqual(expect.arrayContaining(['admin-a', 'admin-b']));
    const described = await admin.fetchTopicMetadata({ topics: ['admin-a'] });
    expect(described.topics[0]!.partitions).toHaveLength(4);
    await admin.deleteTopics({ topics: ['admin-a', 'admin-b'] });
    expect(await admin.listTopics()).not.toContain('admin-a');
  });

  it('adds partitions with createPartitions, and producers use them', async () => {
    await admin.createTopics({ topics: [{ topic: 'admin-grow', numPartitions: 2 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'admin-grow', count: 5 }] });
    const described = await admin.fetchTopicMetadata({ topics: ['admin-grow'] });
    expect(described.topics[0]!.partitions).toHaveLength(5);
    const producer = kafka.producer();
    await producer.connect();
    const [sent] = await producer.send({ topic: 'admin-grow', messages: [{ partition: 4, value: 'in a new partition' }] });
    await producer.disconnect();
    expect(sent!.partition).toBe(4);
    const shrink = await admin.createPartitions({ topicPartitions: [{ topic: 'admin-grow', count: 3 }] }).catch((e: unknown) => e);
    expect(String((shrink as Error).message)).toMatch(/partition/i);
  });

  it('rejects a replication factor larger than the cluster', async () => {
    const failure = await admin.createTopics({ topics: [{ topic: 'admin-rf', replicationFactor: 3 }] }).catch((e: unknown) => e);
    expect((failure as { errors: { type: string }[] }).errors.map((e) => e.type)).toEqual(['INVALID_REPLICATION_FACTOR']);
  });

  it.each([
    { acks: -1, topic: 'acks-all' },
    { acks: 1, topic: 'acks-leader' },
    { acks: 0, topic: 'acks-none' },
  ])('produces with acks=$acks and reads offsets back with fetchTopicOffsets', async ({ acks, topic }) => {
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const perPartition = 500;
    for (let batch = 0; batch < 5; batch++) {
      await producer.send({
        topic,
        acks,
        messages: Array.from({ length: (perPartition * 2) / 5 }, (_, i) => ({
          partition: i % 2,
          key: `k${batch}-${i}`,
          value: `v${batch}-${i}`,
          headers: { source: 'kafkajs' },
        })),
      });
    }
    await producer.disconnect();
    // acks=0 gets no answer, so wait for the writes to land rather than assume they have.
    const offsets = await waitFor(
      async () => {
        const found = await admin.fetchTopicOffsets(topic);
        return found.every((o) => o.high === String(perPartition)) ? found : null;
      },
      { timeoutMs: 10_000, description: `${topic} to reach ${perPartition} records per partition` },
    );
    expect(offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })).sort((a, b) => a.partition - b.partition))
      .toEqual([
        { partition: 0, low: '0', high: String(perPartition) },
        { partition: 1, low: '0', high: String(perPartition) },
      ]);
  });
});
