import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@rill/testkit';
import {
  Admin,
  Consumer,
  DeadlineExceededError,
  keyedPartition,
  Producer,
  UnsupportedFeatureError,
  type ConsumerRecord,
  type Logger,
} from '@rill/client';

/** Reads `count` records from every partition of a topic, from the beginning. */
async function readAll(bootstrap: string, topic: string, partitions: number, count: number) {
  const consumer = new Consumer({
    brokers: [bootstrap],
    autoOffsetReset: 'earliest',
    maxWaitMs: 100,
  });
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
  const byPartition = new Map<number, ConsumerRecord[]>();
  let total = 0;
  try {
    for await (const batch of consumer) {
      const list = byPartition.get(batch.partition) ?? [];
      list.push(...batch.records);
      byPartition.set(batch.partition, list);
      total += batch.records.length;
      if (total >= count) break;
    }
  } finally {
    await consumer.close();
  }
  return byPartition;
}

describe('Producer and Consumer against one rill-server', () => {
  let server: ServerProcess;
  let admin: Admin;

  beforeAll(async () => {
    server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
    admin = new Admin({ brokers: [server.bootstrap] });
  });

  afterAll(async () => {
    await admin?.close();
    await server?.destroy();
  });

  it('round-trips keyed records: each key lands where murmur2 puts it, in order', async () => {
    await admin.createTopics([{ name: 'rt-keys', partitions: 4 }]);
    const producer = new Producer({ brokers: [server.bootstrap], lingerMs: 2 });
    const sends = [];
    for (let i = 0; i < 2000; i++)
      sends.push(
        producer.send({ topic: 'rt-keys', messages: [{ key: `user-${i % 97}`, value: `v${i}` }] }),
      );
    const results = (await Promise.all(sends)).flat();
    await producer.close();
    expect(results).toHaveLength(2000);
    const byPartition = await readAll(server.bootstrap, 'rt-keys', 4, 2000);
    let seen = 0;
    for (const [partition, records] of byPartition) {
      expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
      for (const record of records) expect(keyedPartition(record.key!, 4)).toBe(partition);
      const values = records.map((r) => Number(r.value!.toString().slice(1)));
      expect(values).toEqual([...values].sort((a, b) => a - b));
      seen += records.length;
    }
    expect(seen).toBe(2000);
  });

  it.each([0, 1, 'all'] as const)('delivers with acks=%s', async (acks) => {
    const topic = `rt-acks-${acks}`;
    await admin.createTopics([{ name: topic, partitions: 2 }]);
    const producer = new Producer({ brokers: [server.bootstrap], acks });
    const results = await producer.send({
      topic,
      messages: Array.from({ length: 500 }, (_, i) => ({ value: `m${i}` })),
    });
    await producer.close();
    expect(results.reduce((sum, r) => sum + r.recordCount, 0)).toBe(500);
    if (acks === 0) expect(results.every((r) => r.baseOffset === -1)).toBe(true);
    const offsets = await admin.listOffsets(topic, 'latest');
    expect(offsets.reduce((sum, o) => sum + o.offset, 0)).toBe(500);
  });

  it('keeps headers, null keys and values, timestamps and gzip batches intact', async () => {
    await admin.createTopics([{ name: 'rt-shape', partitions: 1 }]);
    const producer = new Producer({ brokers: [server.bootstrap], compression: 'gzip' });
    const big = Buffer.alloc(50_000, 7);
    await producer.send({
      topic: 'rt-shape',
      messages: [
        { key: null, value: 'no key', headers: { trace: 'abc', empty: null } },
        { key: 'k', value: null, timestamp: 1_700_000_000_000 },
        {
          key: Buffer.from([0, 1, 2]),
          value: big,
          headers: [{ key: 'h', value: Buffer.from('x') }],
        },
      ],
    });
    await producer.close();
    const records = (await readAll(server.bootstrap, 'rt-shape', 1, 3)).get(0)!;
    expect(records[0]!.key).toBeNull();
    expect(records[0]!.value!.toString()).toBe('no key');
    expect(records[0]!.headers.map((h) => [h.key, h.value?.toString() ?? null])).toEqual([
      ['trace', 'abc'],
      ['empty', null],
    ]);
    expect(records[1]!.value).toBeNull();
    expect(records[1]!.timestamp).toBe(1_700_000_000_000);
    expect(records[2]!.key).toEqual(Buffer.from([0, 1, 2]));
    expect(records[2]!.value!.equals(big)).toBe(true);
  });

  it('seeks, pauses and resumes partitions', async () => {
    await admin.createTopics([{ name: 'rt-seek', partitions: 2 }]);
    const producer = new Producer({ brokers: [server.bootstrap] });
    for (const partition of [0, 1]) {
      await producer.send({
        topic: 'rt-seek',
        messages: Array.from({ length: 10 }, (_, i) => ({ value: `${partition}:${i}`, partition })),
      });
    }
    await producer.close();
    const consumer = new Consumer({
      brokers: [server.bootstrap],
      autoOffsetReset: 'earliest',
      maxWaitMs: 50,
    });
    consumer.assign([
      { topic: 'rt-seek', partition: 0 },
      { topic: 'rt-seek', partition: 1 },
    ]);
    consumer.seek({ topic: 'rt-seek', partition: 0, offset: 7 });
    consumer.pause([{ topic: 'rt-seek', partition: 1 }]);
    const seen: string[] = [];
    for await (const batch of consumer) {
      seen.push(...batch.records.map((r) => r.value!.toString()));
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['0:7', '0:8', '0:9']);
    expect(consumer.paused()).toEqual([{ topic: 'rt-seek', partition: 1 }]);
    consumer.resume([{ topic: 'rt-seek', partition: 1 }]);
    consumer.seek({ topic: 'rt-seek', partition: 1, offset: 'latest' });
    consumer.seek({ topic: 'rt-seek', partition: 0, offset: 'earliest' });
    for await (const batch of consumer) {
      seen.push(...batch.records.map((r) => r.value!.toString()));
      if (seen.length === 13) break;
    }
    await consumer.close();
    expect(seen.slice(3)).toEqual(Array.from({ length: 10 }, (_, i) => `0:${i}`));
  });

  it('reads what kafkajs produced, and kafkajs reads what we produced', async () => {
    await admin.createTopics([{ name: 'rt-kafkajs', partitions: 3 }]);
    const kafka = new Kafka({ brokers: [server.bootstrap], logLevel: logLevel.NOTHING });
    const theirs = kafka.producer();
    await theirs.connect();
    await theirs.send({
      topic: 'rt-kafkajs',
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 300 }, (_, i) => ({ key: `key-${i}`, value: `theirs-${i}` })),
    });
    await theirs.disconnect();
    const ours = new Producer({ brokers: [server.bootstrap] });
    await ours.send({
      topic: 'rt-kafkajs',
      messages: Array.from({ length: 300 }, (_, i) => ({ key: `key-${i}`, value: `ours-${i}` })),
    });
    await ours.close();
    const byPartition = await readAll(server.bootstrap, 'rt-kafkajs', 3, 600);
    const all = [...byPartition.entries()].flatMap(([partition, records]) =>
      records.map((r) => ({ partition, key: r.key!.toString() })),
    );
    expect(all).toHaveLength(600);
    // Both clients place a key on the same partition: kafkajs's default is Java's murmur2.
    const placement = new Map<string, Set<number>>();
    for (const { partition, key } of all)
      placement.set(key, (placement.get(key) ?? new Set()).add(partition));
    expect([...placement.values()].every((partitions) => partitions.size === 1)).toBe(true);
    const theirAdmin = kafka.admin();
    await theirAdmin.connect();
    const offsets = await theirAdmin.fetchTopicOffsets('rt-kafkajs');
    await theirAdmin.disconnect();
    expect(offsets.reduce((sum, o) => sum + Number(o.high), 0)).toBe(600);
  });

  it('uses idempotence where InitProducerId is served; else warns once, or fails if it was required', async () => {
    await admin.createTopics([{ name: 'rt-idem', partitions: 1 }]);
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
      warn: (m) => void warnings.push(m),
    };
    const byDefault = new Producer({ brokers: [server.bootstrap], logger });
    await byDefault.send({ topic: 'rt-idem', messages: [{ value: 'a' }] });
    await byDefault.send({ topic: 'rt-idem', messages: [{ value: 'b' }] });
    const served = byDefault.idempotent;
    await byDefault.close();
    const required = new Producer({ brokers: [server.bootstrap], idempotent: true });
    const outcome = await required.connect().then(
      () => null,
      (e: unknown) => e,
    );
    await required.close();
    if (served) {
      expect(warnings).toEqual([]);
      expect(outcome).toBeNull();
    } else {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('InitProducerId');
      expect(outcome).toBeInstanceOf(UnsupportedFeatureError);
      expect((outcome as Error).message).toContain('idempotent: false');
    }
  });

  it('fails a send to a missing topic after maxBlockMs when the broker will not create it', async () => {
    const producer = new Producer({ brokers: [server.bootstrap], maxBlockMs: 500 });
    const failure = await producer
      .send({ topic: 'rt-missing', messages: [{ value: 'x' }] })
      .catch((e: unknown) => e);
    await producer.close();
    expect(failure).toBeInstanceOf(DeadlineExceededError);
    expect((failure as Error).message).toContain('rt-missing');
  });

  it('waits for buffer memory instead of growing, and still delivers everything', async () => {
    await admin.createTopics([{ name: 'rt-memory', partitions: 1 }]);
    const producer = new Producer({
      brokers: [server.bootstrap],
      bufferMemoryBytes: 64 * 1024,
      batchSize: 16 * 1024,
      maxRequestSize: 32 * 1024,
    });
    const value = Buffer.alloc(1000, 1);
    const sends = Array.from({ length: 50 }, () =>
      producer.send({
        topic: 'rt-memory',
        messages: Array.from({ length: 20 }, () => ({ value })),
      }),
    );
    await Promise.all(sends);
    await producer.close();
    expect((await admin.listOffsets('rt-memory', 'latest'))[0]!.offset).toBe(1000);
  });
});
