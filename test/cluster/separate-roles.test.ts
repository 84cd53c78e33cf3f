import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, waitFor } from '@rill/testkit';

const sessionTimeoutMs = 3000;

function gauge(metrics: string, name: string): number {
  return Number(new RegExp(`^${name} (-?\\d+)$`, 'm').exec(metrics)?.[1]);
}

describe('three controllers and three brokers as separate processes', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 6,
      controllers: 3,
      properties: { 'broker.session.timeout.ms': sessionTimeoutMs, 'broker.heartbeat.interval.ms': 500 },
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  async function leaders(): Promise<number[]> {
    const admin = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: ['separate'] });
      return [...metadata.topics[0]!.partitions].sort((a, b) => a.partitionId - b.partitionId).map((p) => p.leader);
    } finally {
      await admin.disconnect();
    }
  }

  async function produceToAll(): Promise<void> {
    const producer = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    for (let partition = 0; partition < 6; partition++) {
      await producer.send({ topic: 'separate', acks: -1, messages: [{ partition, value: `v${partition}` }] });
    }
    await producer.disconnect();
  }

  it('spreads partitions over the brokers, survives a broker kill and a controller kill', async () => {
    const admin = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'separate', numPartitions: 6, replicationFactor: 3 }] });
    await admin.disconnect();
    expect(new Set(await leaders())).toEqual(new Set([4, 5, 6]));

    const broker = cluster.node((await leaders())[0]!);
    await broker.kill();
    await waitFor(async () => (await leaders()).every((l) => l !== broker.nodeId && l >= 0) || null, {
      timeoutMs: sessionTimeoutMs + 3000,
      intervalMs: 100,
      description: `partitions to leave broker ${broker.nodeId}`,
    });
    await produceToAll();

    const controllerId = gauge(await cluster.node(1).metrics(), 'rill_raft_leader_id');
    await cluster.node(controllerId).kill();
    const pauseStarted = Date.now();
    await produceToAll();
    const admin2 = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin2.connect();
    const created = await admin2.createTopics({ topics: [{ topic: "after-controller-loss", numPartitions: 2 }] }).catch((e: { errors?: unknown[] }) => JSON.stringify(e.errors ?? e));
    expect(created).toBe(true);
    await admin2.disconnect();
    console.log(`produce and create after killing controller ${controllerId} took ${Date.now() - pauseStarted} ms`);
  });
});
