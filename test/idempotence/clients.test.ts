import { spawn } from 'node:child_process';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@rill/protocol';
import { Producer } from '@rill/client';
import { Cluster } from '@rill/testkit';
import type { RawKafkaClient } from '../support/raw-kafka-client.js';
import {
  connectTo,
  createTopic,
  highWatermarks,
  initProducerId,
  leadersOf,
  metricSum,
  produceFrame,
  readPartition,
  sendFrames,
} from './support.js';

function kcatProduce(bootstrap: string, topic: string, lines: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = ['-b', bootstrap, '-P', '-t', topic, '-X', 'enable.idempotence=true', '-X', 'message.timeout.ms=20000'];
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => (code === 0 && !/fail|error/i.test(stderr) ? resolve(stderr) : reject(new Error(`kcat exited ${code}: ${stderr}`))));
    child.stdin.end(lines.map((line) => `${line}\n`).join(''));
  });
}

async function readTopic(cluster: Cluster, topic: string, partitions: number): Promise<string[]> {
  const values: string[] = [];
  for (let p = 0; p < partitions; p++) values.push(...(await readPartition(cluster.bootstrap[0]!, topic, p)));
  return values;
}

const initProducerIdsServed = (cluster: Cluster) => metricSum(cluster, /^rill_requests_total\{api="InitProducerId",outcome="ok"\} (\d+)$/);

/**
 * Idempotent producers against three combined nodes: real clients produce once, and the
 * broker's own rules (retry = duplicate, gap, fenced epoch) are checked on a raw socket.
 */
describe('idempotent producers on a three-node cluster', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.start({ nodes: 3, roles: 'broker,controller', properties: { 'auto.create.topics.enable': false } });
    await createTopic(cluster, 'idem-clients', 3);
    await createTopic(cluster, 'idem-raw', 1);
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('kafkajs (idempotent: true, one request in flight) writes every message once', async () => {
    const before = await initProducerIdsServed(cluster);
    const producer = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    for (let batch = 0; batch < 20; batch++) {
      const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i % 7}`, value: `kafkajs-${batch * 50 + i}` }));
      await producer.send({ topic: 'idem-clients', acks: -1, messages });
    }
    await producer.disconnect();
    expect(await initProducerIdsServed(cluster)).toBe(before + 1);
    const values = (await readTopic(cluster, 'idem-clients', 3)).filter((v) => v.startsWith('kafkajs-'));
    expect(values).toHaveLength(1000);
    expect(new Set(values).size).toBe(1000);
    expect(await metricSum(cluster, /^rill_producer_ids_active\{topic="idem-clients",partition="\d+"\} (\d+)$/)).toBeGreaterThan(0);
  });

  it('kcat with enable.idempotence=true writes every message once', async () => {
    const before = await initProducerIdsServed(cluster);
    const lines = Array.from({ length: 3000 }, (_, i) => `kcat-${i}`);
    await kcatProduce(cluster.bootstrap.join(','), 'idem-clients', lines);
    expect(await initProducerIdsServed(cluster)).toBeGreaterThan(before);
    const values = (await readTopic(cluster, 'idem-clients', 3)).filter((v) => v.startsWith('kcat-'));
    expect(values).toHaveLength(3000);
    expect(new Set(values).size).toBe(3000);
  });

  it('the bundled client turns idempotence on by default now that InitProducerId is served', async () => {
    const producer = new Producer({ brokers: cluster.bootstrap });
    await producer.send({ topic: 'idem-clients', messages: [{ value: 'bundled-0' }, { value: 'bundled-1' }] });
    expect(producer.idempotent).toBe(true);
    await producer.close();
    expect((await readTopic(cluster, 'idem-clients', 3)).filter((v) => v.startsWith('bundled-')).sort()).toEqual(['bundled-0', 'bundled-1']);
  });

  describe('on a raw socket to the leader', () => {
    let client: RawKafkaClient;
    let identity: { producerId: number; producerEpoch: number };

    beforeAll(async () => {
      const [leader] = await leadersOf(cluster, 'idem-raw');
      client = await connectTo(cluster, leader!);
      const answer = await initProducerId(client);
      expect(answer.errorCode).toBe(ErrorCode.NONE);
      identity = { producerId: answer.producerId, producerEpoch: answer.producerEpoch };
    });

    afterAll(() => client?.close());

    const frame = (baseSequence: number, values: string[], producerEpoch = identity.producerEpoch) =>
      produceFrame({ topic: 'idem-raw', partition: 0, identity: { ...identity, producerEpoch }, baseSequence, values });

    it('appends a retried Produce request once, and answers both with the same base offset', async () => {
      const duplicatesBefore = await metricSum(cluster, /^rill_produce_duplicates_total\{topic="idem-raw"\} (\d+)$/);
      const bytes = frame(0, ['a0', 'a1', 'a2']);
      const [first] = await sendFrames(client, [bytes]);
      const [second] = await sendFrames(client, [bytes]);
      expect(first).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0 });
      expect(second).toEqual(first);
      expect(await highWatermarks(cluster, 'idem-raw')).toEqual([3]);
      expect(await metricSum(cluster, /^rill_produce_duplicates_total\{topic="idem-raw"\} (\d+)$/)).toBe(duplicatesBefore + 1);
      const [next] = await sendFrames(client, [frame(3, ['a3'])]);
      expect(next).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 3 });
    });

    it('answers a retry that arrives while the original waits for the high watermark once the original completes, not appending it again', async () => {
      const leader = (await leadersOf(cluster, 'idem-raw'))[0]!;
      const followers = cluster.nodes.filter((n) => n.nodeId !== leader);
      const bytes = frame(4, ['b0', 'b1']);
      for (const follower of followers) await follower.signal('SIGSTOP');
      let answers: Promise<unknown>;
      try {
        answers = sendFrames(client, [bytes, bytes]);
        // Neither can be answered while the followers cannot fetch: acks=all waits for them.
        const early = await Promise.race([answers, new Promise((resolve) => setTimeout(() => resolve('pending'), 300))]);
        expect(early).toBe('pending');
      } finally {
        for (const follower of followers) await follower.signal('SIGCONT');
      }
      expect(await answers).toEqual([
        { errorCode: ErrorCode.NONE, baseOffset: 4 },
        { errorCode: ErrorCode.NONE, baseOffset: 4 },
      ]);
      expect(await highWatermarks(cluster, 'idem-raw')).toEqual([6]);
    });

    it('refuses a sequence gap (OUT_OF_ORDER_SEQUENCE_NUMBER), an older epoch (INVALID_PRODUCER_EPOCH) and a new epoch not at 0', async () => {
      expect(await sendFrames(client, [frame(9, ['gap'])])).toEqual([{ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 }]);
      expect(await sendFrames(client, [frame(3, ['old'], identity.producerEpoch + 1)])).toEqual([{ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 }]);
      expect(await sendFrames(client, [frame(0, ['e1'], identity.producerEpoch + 1)])).toEqual([{ errorCode: ErrorCode.NONE, baseOffset: 6 }]);
      expect(await sendFrames(client, [frame(6, ['e0'])])).toEqual([{ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, baseOffset: -1 }]);
      expect(await highWatermarks(cluster, 'idem-raw')).toEqual([7]);
    });
  });

  it('gives ids from every broker that never collide, and refuses transactional ids', async () => {
    const ids: number[] = [];
    for (const node of cluster.nodes) {
      const client = await connectTo(cluster, node.nodeId);
      try {
        for (let i = 0; i < 5; i++) {
          const answer = await initProducerId(client);
          expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
          ids.push(answer.producerId);
        }
        expect(await initProducerId(client, 'txn-1')).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_VERSION, producerId: -1 });
        expect(await initProducerId(client, '')).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, producerId: -1 });
      } finally {
        client.close();
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
