import { spawn } from 'node:child_process';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, waitFor } from '@rill/testkit';

/** Produces one line to one partition with kcat; rejects if librdkafka reports a failed delivery. */
function kcatProduce(bootstrap: string, partition: number, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['-b', bootstrap, '-P', '-t', 'spread', '-p', String(partition), '-X', 'message.timeout.ms=10000'];
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat -p ${partition} exited ${code}: ${stderr}`))));
    child.stdin.end(`${line}\n`);
  });
}
const sessionTimeoutMs = 3000;
const partitions = 6;

interface PartitionLeaders {
  readonly leaders: number[];
}

describe('three combined nodes when a broker dies', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 3,
      roles: 'broker,controller',
      properties: { 'broker.session.timeout.ms': sessionTimeoutMs, 'broker.heartbeat.interval.ms': 500 },
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  async function leaders(bootstrap: string[]): Promise<PartitionLeaders> {
    const admin = new Kafka({ brokers: bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: ['spread'] });
      const byIndex = [...metadata.topics[0]!.partitions].sort((a, b) => a.partitionId - b.partitionId);
      return { leaders: byIndex.map((p) => p.leader) };
    } finally {
      await admin.disconnect();
    }
  }

  it(`moves every partition to a live leader within broker.session.timeout.ms + 3 s, and clients produce to all`, async () => {
    const admin = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'spread', numPartitions: partitions, replicationFactor: 3 }] });
    await admin.disconnect();
    const before = await leaders(cluster.bootstrap);
    expect(new Set(before.leaders)).toEqual(new Set([1, 2, 3]));

    const victim = cluster.node(before.leaders[0]!);
    const killedAt = Date.now();
    await victim.kill();
    const after = await waitFor(
      async () => {
        const current = await leaders(cluster.bootstrap);
        return current.leaders.every((l) => l !== victim.nodeId && l >= 0) ? current : null;
      },
      { timeoutMs: sessionTimeoutMs + 3000, intervalMs: 100, description: `every partition to leave node ${victim.nodeId}` },
    );
    console.log(`partition leaders moved off node ${victim.nodeId} in ${Date.now() - killedAt} ms: ${after.leaders.join(',')}`);
    const survivorMetrics = await Promise.all(cluster.running().map((n) => n.metrics()));
    for (const metrics of survivorMetrics) {
      expect(metrics).toContain('rill_cluster_brokers{state="fenced"} 1');
      expect(metrics).toContain('rill_cluster_brokers{state="active"} 2');
      expect(metrics).toMatch(/^rill_leader_elections_total\{unclean="false"\} [1-9]/m);
    }
    const activeControllers = survivorMetrics.map((m) => Number(/^rill_controller_active (\d)$/m.exec(m)?.[1])).reduce((a, b) => a + b);
    expect(activeControllers).toBe(1);

    const producer = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    for (let partition = 0; partition < partitions; partition++) {
      const [result] = await producer.send({ topic: 'spread', acks: -1, messages: [{ partition, value: `kafkajs-${partition}` }] });
      expect(result!.errorCode).toBe(0);
    }
    await producer.disconnect();
    for (let partition = 0; partition < partitions; partition++) {
      await kcatProduce(cluster.bootstrap.join(','), partition, `kcat-${partition}`);
    }
  });

  it('moves leaderships away before a broker stopped with SIGTERM exits (controlled shutdown)', async () => {
    const running = cluster.running();
    const leading = await leaders(cluster.bootstrap);
    const stopping = running.find((n) => leading.leaders.includes(n.nodeId))!;
    expect(await stopping.signal('SIGTERM')).toBe(0);
    const stoppedAt = Date.now();
    const after = await waitFor(
      async () => {
        const current = await leaders(cluster.bootstrap);
        return current.leaders.every((l) => l !== stopping.nodeId && l >= 0) ? current : null;
      },
      { timeoutMs: 1000, intervalMs: 50, description: `leaders off node ${stopping.nodeId} right after its clean exit` },
    );
    console.log(`after SIGTERM of node ${stopping.nodeId} leaders were ${after.leaders.join(',')} within ${Date.now() - stoppedAt} ms`);
  });
});
