import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, waitFor } from '@rill/testkit';

const partitions = 6;

interface PartitionState {
  readonly partition: number;
  readonly leader: number;
  readonly replicas: number[];
  readonly isr: number[];
}

async function describeTopic(admin: Admin): Promise<PartitionState[]> {
  const metadata = await admin.fetchTopicMetadata({ topics: ['preferred'] });
  return metadata.topics[0]!.partitions
    .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
    .sort((a, b) => a.partition - b.partition);
}

describe('a restarted broker', () => {
  let cluster: Cluster;
  let admin: Admin;

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 3,
      roles: 'broker,controller',
      properties: {
        'broker.session.timeout.ms': 3000,
        'broker.heartbeat.interval.ms': 500,
        'leader.imbalance.check.interval.seconds': 1,
        'replica.fetch.backoff.ms': 200,
      },
    });
    admin = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await cluster?.destroy();
  });

  it('catches up, rejoins every ISR and gets its preferred leaderships back', async () => {
    await admin.createTopics({ topics: [{ topic: 'preferred', numPartitions: partitions, replicationFactor: 3 }] });
    const victim = cluster.node(1);
    const preferredByVictim = (await describeTopic(admin)).filter((p) => p.replicas[0] === victim.nodeId).map((p) => p.partition);
    expect(preferredByVictim.length).toBeGreaterThan(0);

    await victim.kill();
    await waitFor(
      async () => ((await describeTopic(admin)).every((p) => p.leader !== victim.nodeId && !p.isr.includes(victim.nodeId)) ? true : null),
      { timeoutMs: 10_000, intervalMs: 100, description: `node ${victim.nodeId} to lose its leaderships and leave every ISR` },
    );
    // Writes the restarted broker has to fetch before it may rejoin the ISRs.
    const producer = new Kafka({ brokers: cluster.running().map((n) => n.bootstrap), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    for (let partition = 0; partition < partitions; partition++) {
      const messages = Array.from({ length: 50 }, (_, i) => ({ partition, value: `while-down-${partition}-${i}` }));
      await producer.send({ topic: 'preferred', acks: -1, messages });
    }
    await producer.disconnect();

    const restartedAt = Date.now();
    await victim.restart();
    const healed = await waitFor(
      async () => {
        const state = await describeTopic(admin);
        const done = state.every((p) => p.isr.length === 3 && p.leader === p.replicas[0]);
        return done ? state : null;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'every ISR whole again and every partition led by its preferred replica' },
    );
    console.log(`node ${victim.nodeId} back in every ISR and leading ${preferredByVictim.join(',')} after ${Date.now() - restartedAt} ms`);
    for (const partition of preferredByVictim) expect(healed[partition]!.leader).toBe(victim.nodeId);
    const metrics = await Promise.all(cluster.running().map((n) => n.metrics()));
    const expands = metrics.map((m) => Number(/^rill_isr_expands_total (\d+)/m.exec(m)?.[1] ?? 0)).reduce((a, b) => a + b);
    expect(expands).toBeGreaterThanOrEqual(partitions);
  });
});
