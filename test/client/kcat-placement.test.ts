import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@rill/testkit';
import { Admin, Consumer, keyedPartition, Producer } from '@rill/client';

/** Runs kcat with stdin; resolves with stdout, rejects with stderr on a non-zero exit. */
function kcat(args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`kcat exited ${code}: ${stderr}`)),
    );
    child.stdin.end(input);
  });
}

/**
 * Key placement checked against a second, independent implementation: librdkafka's
 * murmur2_random partitioner (kcat), which is defined to match the Java client.
 */
describe('key placement, ours against librdkafka murmur2_random', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
    const admin = new Admin({ brokers: [server.bootstrap] });
    await admin.createTopics([
      { name: 'placement-kcat', partitions: 7 },
      { name: 'placement-ours', partitions: 7 },
    ]);
    await admin.close();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  async function placements(topic: string, count: number): Promise<Map<string, number>> {
    const consumer = new Consumer({
      brokers: [server.bootstrap],
      autoOffsetReset: 'earliest',
      maxWaitMs: 100,
    });
    consumer.assign(Array.from({ length: 7 }, (_, partition) => ({ topic, partition })));
    const placed = new Map<string, number>();
    for await (const batch of consumer) {
      for (const record of batch.records) placed.set(record.key!.toString(), batch.partition);
      if (placed.size >= count) break;
    }
    await consumer.close();
    return placed;
  }

  it('puts every key on the partition librdkafka chose for it', async () => {
    const keys = Array.from(
      { length: 500 },
      (_, i) => `customer-${i * 7919}-${'x'.repeat(i % 13)}`,
    );
    await kcat(
      [
        '-b',
        server.bootstrap,
        '-P',
        '-t',
        'placement-kcat',
        '-K',
        ':',
        '-X',
        'partitioner=murmur2_random',
        '-X',
        'message.timeout.ms=15000',
      ],
      keys.map((k) => `${k}:v`).join('\n') + '\n',
    );
    const producer = new Producer({ brokers: [server.bootstrap] });
    await producer.send({
      topic: 'placement-ours',
      messages: keys.map((key) => ({ key, value: 'v' })),
    });
    await producer.close();
    const theirs = await placements('placement-kcat', keys.length);
    const ours = await placements('placement-ours', keys.length);
    for (const key of keys) {
      expect(ours.get(key)).toBe(theirs.get(key));
      expect(keyedPartition(Buffer.from(key), 7)).toBe(theirs.get(key));
    }
  });
});
