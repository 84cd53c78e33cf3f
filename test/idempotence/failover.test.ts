import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@rill/protocol';
import { Cluster, waitFor } from '@rill/testkit';
import { connectTo, createTopic, highWatermarks, initProducerId, leadersOf, produceFrame, sendFrames } from './support.js';

const sessionTimeoutMs = 3000;

const retriable = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NOT_ENOUGH_REPLICAS,
]);

/**
 * Sends one request's bytes to the current leader of partition 0 of `topic`, looked up
 * afresh, and again while the cluster is still settling: resending is what a producer
 * does, and exactly what the broker must recognise.
 */
async function sendToLeader(cluster: Cluster, topic: string, bytes: Buffer) {
  return waitFor(
    async () => {
      try {
        const [leader] = await leadersOf(cluster, topic);
        if (leader === undefined || leader < 0) return null;
        const client = await connectTo(cluster, leader);
        try {
          const answer = (await sendFrames(client, [bytes], 5000))[0]!;
          return retriable.has(answer.errorCode) ? null : answer;
        } finally {
          client.close();
        }
      } catch {
        return null;
      }
    },
    { timeoutMs: 30_000, intervalMs: 100, description: `an answer from the leader of ${topic}` },
  );
}

/** Until every replica of partition 0 of `topic` is in its ISR. */
async function waitForFullIsr(cluster: Cluster, topic: string): Promise<void> {
  await waitFor(
    async () => {
      const admin = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
        return metadata.topics[0]!.partitions[0]!.isr.length === 3 || null;
      } finally {
        await admin.disconnect();
      }
    },
    { timeoutMs: 30_000, intervalMs: 200, description: `a full ISR for ${topic}` },
  );
}

async function waitForLeaderOtherThan(cluster: Cluster, topic: string, gone: number): Promise<number> {
  return waitFor(
    async () => {
      const [leader] = await leadersOf(cluster, topic).catch(() => [-1]);
      return leader !== undefined && leader >= 0 && leader !== gone ? leader : null;
    },
    { timeoutMs: sessionTimeoutMs + 5000, intervalMs: 100, description: `a leader other than node ${gone}` },
  );
}

async function stopAll(cluster: Cluster, how: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  await Promise.all(cluster.nodes.map((node) => node.signal(how)));
}

/** Starts every node together (the quorum needs a majority before any becomes ready). */
async function startAll(cluster: Cluster): Promise<void> {
  await Promise.all(cluster.nodes.map((node) => node.restart()));
}

/** Producer state snapshots in each node's replica of `partitionDir`. */
function snapshotsOnDisk(cluster: Cluster, partitionDir: string): string[][] {
  return cluster.nodes.map((node) => readdirSync(join(node.dataDir, partitionDir)).filter((name) => name.endsWith('.snapshot')));
}

async function activeController(cluster: Cluster): Promise<number> {
  return waitFor(
    async () => {
      for (const node of cluster.running()) {
        const text = await node.metrics().catch(() => '');
        if (/^rill_controller_active 1$/m.test(text)) return node.nodeId;
      }
      return null;
    },
    { timeoutMs: 10_000, intervalMs: 100, description: 'an active controller' },
  );
}

/** `count` InitProducerId answers from one broker, all requests sent at once. */
async function producerIdsFrom(cluster: Cluster, nodeId: number, count: number): Promise<number[]> {
  const client = await connectTo(cluster, nodeId);
  try {
    const answers = await Promise.all(Array.from({ length: count }, () => initProducerId(client)));
    for (const answer of answers) expect(answer.errorCode).toBe(ErrorCode.NONE);
    return answers.map((a) => a.producerId);
  } finally {
    client.close();
  }
}

/**
 * Producer state lives in every replica's log: a new leader after kill -9, and every node
 * after a full restart (clean or not), still recognises a retry of the last batch.
 */
describe('idempotent producer state across failover and restarts', () => {
  let cluster: Cluster;
  let identity: { producerId: number; producerEpoch: number };
  const frame = (baseSequence: number, values: string[]) =>
    produceFrame({ topic: 'idem-failover', partition: 0, identity, baseSequence, values });

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 3,
      roles: 'broker,controller',
      properties: { 'broker.session.timeout.ms': sessionTimeoutMs, 'broker.heartbeat.interval.ms': 500, 'auto.leader.rebalance.enable': false },
    });
    await createTopic(cluster, 'idem-failover', 1);
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('a new leader answers a retry of the last batch after kill -9 of the old one with its original offset', async () => {
    const [leader] = await leadersOf(cluster, 'idem-failover');
    const client = await connectTo(cluster, leader!);
    const answer = await initProducerId(client);
    identity = { producerId: answer.producerId, producerEpoch: answer.producerEpoch };
    const offsets: number[] = [];
    for (let i = 0; i < 5; i++) offsets.push((await sendFrames(client, [frame(i * 2, [`v${i * 2}`, `v${i * 2 + 1}`])]))[0]!.baseOffset);
    client.close();
    expect(offsets).toEqual([0, 2, 4, 6, 8]);

    await cluster.node(leader!).kill();
    const next = await waitForLeaderOtherThan(cluster, 'idem-failover', leader!);
    console.log(`leader moved from node ${leader} to node ${next}`);
    expect(await sendToLeader(cluster, 'idem-failover', frame(8, ['v8', 'v9']))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 8 });
    expect(await sendToLeader(cluster, 'idem-failover', frame(6, ['v6', 'v7']))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 6 });
    expect(await highWatermarks(cluster, 'idem-failover')).toEqual([10]);
    expect(await sendToLeader(cluster, 'idem-failover', frame(10, ['v10']))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 10 });
    expect(await sendToLeader(cluster, 'idem-failover', frame(12, ['gap']))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    await cluster.node(leader!).restart();
  });

  it('whoever leads after a clean restart of all (snapshots) and after kill -9 of all (log replay) still recognises the retry', async () => {
    // The restarted node must hold the batches before the whole cluster goes down.
    await waitForFullIsr(cluster, 'idem-failover');
    await stopAll(cluster, 'SIGTERM');
    // A clean stop leaves each replica a snapshot at its log end, offset 11.
    expect(snapshotsOnDisk(cluster, 'idem-failover-0').map((names) => names.at(-1))).toEqual(Array(3).fill('00000000000000000011.snapshot'));
    await startAll(cluster);
    expect(await sendToLeader(cluster, 'idem-failover', frame(10, ['v10']))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 10 });
    expect(await sendToLeader(cluster, 'idem-failover', frame(11, ['v11']))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 11 });
    await stopAll(cluster, 'SIGKILL');
    await startAll(cluster);
    expect(await sendToLeader(cluster, 'idem-failover', frame(11, ['v11']))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 11 });
    expect(await sendToLeader(cluster, 'idem-failover', frame(8, ['v8', 'v9']))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 8 });
    await waitFor(async () => (await highWatermarks(cluster, 'idem-failover'))[0] === 12 || null, {
      timeoutMs: 10_000,
      description: 'the high watermark at 12: nothing was appended twice',
    });
  });

  it('hands out producer ids that never collide, across brokers, restarts and a change of active controller', async () => {
    const ids: number[] = [];
    for (const node of cluster.nodes) ids.push(...(await producerIdsFrom(cluster, node.nodeId, 3)));
    const controller = await activeController(cluster);
    await cluster.node(controller).kill();
    const successor = await waitFor(async () => {
      const now = await activeController(cluster);
      return now !== controller ? now : null;
    }, { timeoutMs: 10_000, description: 'a new active controller' });
    console.log(`active controller moved from node ${controller} to node ${successor}`);
    await cluster.node(controller).restart();
    // The restarted node starts a new block; another broker runs through the rest of its own.
    for (const node of cluster.nodes) ids.push(...(await producerIdsFrom(cluster, node.nodeId, 3)));
    const busy = cluster.nodes.find((n) => n.nodeId !== controller)!;
    ids.push(...(await producerIdsFrom(cluster, busy.nodeId, 1000)));
    expect(ids).toHaveLength(1018);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
