import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, ServerProcess, waitFor } from '@rill/testkit';
import { Admin, Consumer, Producer } from '@rill/client';

/**
 * The broker dies (SIGKILL) and comes back while a producer is mid-stream. Every send
 * must still succeed — retried across the outage — and every record must be readable once.
 */
describe('producer across a broker crash and restart', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
    const admin = new Admin({ brokers: [server.bootstrap] });
    await admin.createTopics([{ name: 'failover', partitions: 2 }]);
    await admin.close();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('loses nothing, and duplicates nothing when idempotent', async () => {
    const producer = new Producer({
      brokers: [server.bootstrap],
      requestTimeoutMs: 2000,
      connectTimeoutMs: 1000,
      retry: { initialBackoffMs: 50, maxBackoffMs: 300 },
      deliveryTimeoutMs: 60_000,
    });
    await producer.connect();
    const total = 4000;
    let acknowledged = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const first = next;
        next += 10;
        await producer.send({
          topic: 'failover',
          messages: Array.from({ length: 10 }, (_, i) => ({
            key: `k${(first + i) % 13}`,
            value: String(first + i),
          })),
        });
        acknowledged += 10;
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await waitFor(() => acknowledged >= 1000, {
      timeoutMs: 20_000,
      description: 'a first share of records acknowledged',
    });
    await server.kill();
    await server.restart();
    await Promise.all(workers);
    const idempotent = producer.idempotent;
    await producer.close();
    expect(acknowledged).toBe(total);

    const consumer = new Consumer({
      brokers: [server.bootstrap],
      autoOffsetReset: 'earliest',
      maxWaitMs: 100,
    });
    consumer.assign([
      { topic: 'failover', partition: 0 },
      { topic: 'failover', partition: 1 },
    ]);
    const admin = new Admin({ brokers: [server.bootstrap] });
    const end = (await admin.listOffsets('failover', 'latest')).reduce(
      (sum, o) => sum + o.offset,
      0,
    );
    await admin.close();
    const values: number[] = [];
    for await (const batch of consumer) {
      values.push(...batch.records.map((r) => Number(r.value!.toString())));
      if (values.length >= end) break;
    }
    await consumer.close();
    expect(new Set(values).size).toBe(total);
    if (idempotent) expect(values).toHaveLength(total);
  });
});

/**
 * Three nodes, replication factor 3: the leader of a partition is killed (SIGKILL) while an
 * idempotent acks=all producer writes to it. The producer finds the new leader from metadata
 * and goes on; every record is acknowledged, and each is in the log once, in send order.
 */
describe('producer across a leader failover on three nodes', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 3,
      properties: { 'auto.create.topics.enable': false, 'min.insync.replicas': 2 },
    });
    const admin = new Admin({ brokers: cluster.bootstrap });
    await admin.createTopics([{ name: 'orders', partitions: 2, replicationFactor: 3 }]);
    await admin.close();
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('loses nothing and duplicates nothing, each partition in send order', async () => {
    const producer = new Producer({
      brokers: cluster.bootstrap,
      acks: 'all',
      requestTimeoutMs: 3000,
      connectTimeoutMs: 1000,
      retry: { initialBackoffMs: 50, maxBackoffMs: 500 },
      deliveryTimeoutMs: 90_000,
    });
    await producer.connect();
    expect(producer.idempotent).toBe(true);
    const perPartition = 1500;
    let acknowledged = 0;
    // One writer per partition, so the order it sends in is the order it must read back.
    const writer = async (partition: number): Promise<void> => {
      for (let first = 0; first < perPartition; first += 10) {
        await producer.send({
          topic: 'orders',
          messages: Array.from({ length: 10 }, (_, i) => ({ partition, value: String(first + i) })),
        });
        acknowledged += 10;
      }
    };
    const writers = [writer(0), writer(1)];
    await waitFor(() => acknowledged >= 600, {
      timeoutMs: 30_000,
      description: 'a first share of records acknowledged',
    });
    const admin = new Admin({ brokers: cluster.bootstrap });
    const [orders] = await admin.describeTopics(['orders']);
    const leader = orders!.partitions.find((p) => p.partition === 0)!.leader;
    await cluster.node(leader).kill();
    await Promise.all(writers);
    await producer.close();
    expect(acknowledged).toBe(2 * perPartition);

    const survivors = cluster.nodes.filter((n) => n.nodeId !== leader).map((n) => n.bootstrap);
    const consumer = new Consumer({ brokers: survivors, autoOffsetReset: 'earliest', maxWaitMs: 100 });
    consumer.assign([
      { topic: 'orders', partition: 0 },
      { topic: 'orders', partition: 1 },
    ]);
    const read: number[][] = [[], []];
    for await (const batch of consumer) {
      read[batch.partition]!.push(...batch.records.map((r) => Number(r.value!.toString())));
      if (read[0]!.length + read[1]!.length >= 2 * perPartition) break;
    }
    await consumer.close();
    await admin.close();
    const inOrder = Array.from({ length: perPartition }, (_, i) => i);
    expect(read).toEqual([inOrder, inOrder]);
  });
});
