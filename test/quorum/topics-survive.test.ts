import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, waitFor, type ServerProcess } from '@rill/testkit';

function admin(nodes: readonly ServerProcess[]) {
  return new Kafka({ clientId: 'quorum-test', brokers: nodes.map((n) => n.bootstrap), logLevel: logLevel.NOTHING }).admin();
}

async function topicsSeenBy(node: ServerProcess): Promise<string[]> {
  const client = admin([node]);
  await client.connect();
  try {
    return (await client.listTopics()).sort();
  } finally {
    await client.disconnect();
  }
}

describe('topics on a quorum of three combined nodes', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.start({ nodes: 3, roles: 'broker,controller' });
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('created through kafkajs, survive the loss of any one controller', async () => {
    const first = admin(cluster.nodes);
    await first.connect();
    expect(await first.createTopics({ topics: [{ topic: 'durable', numPartitions: 3, replicationFactor: 3 }] })).toBe(true);
    await first.disconnect();
    const expected = ['durable'];
    for (const victim of cluster.nodes) {
      await victim.kill();
      const survivors = cluster.running();
      for (const node of survivors) {
        await waitFor(async () => (await topicsSeenBy(node)).join() === expected.join() || null, {
          timeoutMs: 10_000,
          description: `node ${node.nodeId} to list ${expected.join(', ')} with node ${victim.nodeId} down`,
        });
      }
      const during = admin(survivors);
      await during.connect();
      const topic = `created-without-${victim.nodeId}`;
      expect(await during.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] })).toBe(true);
      await during.disconnect();
      expected.push(topic);
      expected.sort();
      await victim.restart();
      await waitFor(async () => (await topicsSeenBy(victim)).join() === expected.join() || null, {
        timeoutMs: 15_000,
        description: `restarted node ${victim.nodeId} to catch up on ${expected.join(', ')}`,
      });
    }
  });
});
