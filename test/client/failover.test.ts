import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, waitFor } from '@rill/testkit';
import { Admin, Consumer, Producer } from '@rill/client';

/**
 * The broker dies (SIGKILL) and comes back while a producer is mid-stream. Every send
 * must still succeed — retried across the outage — and every record must be readable.
 * Exactly-once (no duplicates, order kept) is checked whenever the cluster grants
 * idempotence; until the broker serves InitProducerId the guarantee is at-least-once.
 * With a multi-node cluster the same test becomes a leader failover (the leader moves
 * instead of coming back); it runs on one node until the testkit cluster lands.
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
