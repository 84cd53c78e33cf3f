import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, waitFor, type ServerProcess } from '@rill/testkit';

async function topicsSeenBy(node: ServerProcess): Promise<string[]> {
  const admin = new Kafka({ brokers: [node.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).sort();
  } finally {
    await admin.disconnect();
  }
}

describe('a controller that fell behind the truncated metadata log', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    // Snapshot after every ~1 KiB of records, so the log behind a stopped node is soon gone.
    cluster = await Cluster.start({
      nodes: 3,
      roles: 'broker,controller',
      properties: { 'metadata.log.max.record.bytes.between.snapshots': 1024 },
      env: { RILL_LOG_LEVEL: 'info' },
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('catches up from the leader\'s snapshot after a restart', async () => {
    const laggard = cluster.node(3);
    await laggard.kill();
    const admin = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const names = Array.from({ length: 40 }, (_, i) => `while-away-${String(i).padStart(2, '0')}`);
    for (let i = 0; i < names.length; i += 10) {
      await admin.createTopics({ topics: names.slice(i, i + 10).map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })) });
    }
    await admin.disconnect();
    await laggard.restart();
    await waitFor(async () => (await topicsSeenBy(laggard)).join() === names.join() || null, {
      timeoutMs: 20_000,
      description: 'the restarted node to list every topic created while it was down',
    });
    expect(laggard.output).toContain("installed the leader's snapshot");
  });
});
