import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { Cluster, waitFor } from '@rill/testkit';
import { History } from './support/history.js';
import { compareReplicas, printNodeOutput, stopNodes } from './support/replica-logs.js';
import { createTopic, describeView, fullyInSync, readWholePartition, waitForView, type PartitionRead } from './support/wire.js';
import { Poller, Writers, connectProducer } from './support/workload.js';

/**
 * Fault F1 of the reliability plan: kill -9 the leader of each partition in turn while a
 * kafkajs producer writes with acks=all, restarting each victim and waiting for it to rejoin
 * the ISR before the next kill. Afterwards every acknowledged record is read back where it was
 * acknowledged (I1, I2, I3), nothing a consumer saw meanwhile has vanished (I6), and the
 * replicas' segment files are byte-identical below the high watermark (I4).
 */
const topic = 'leader-kill';
const partitions = 3;
const sessionTimeoutMs = 3000;
const allPartitions = Array.from({ length: partitions }, (_, p) => p);

describe('kill -9 of each partition leader in turn, under acks=all writes', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 3,
      roles: 'broker,controller',
      properties: {
        'broker.session.timeout.ms': sessionTimeoutMs,
        'broker.heartbeat.interval.ms': 500,
        'min.insync.replicas': 2,
        'auto.create.topics.enable': false,
      },
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('loses no acknowledged write, and leaves identical replicas', async () => {
    onTestFailed(() => printNodeOutput(cluster.nodes));
    const brokers = () => cluster.running();
    await createTopic(brokers(), topic, partitions, 3);
    await waitForView(brokers, topic, (v) => v.length === partitions && fullyInSync(v), {
      timeoutMs: 20_000,
      description: `${topic} to have leaders and full ISRs`,
    });

    const history = new History();
    const producer = await connectProducer({ brokers: cluster.bootstrap, requestTimeoutMs: 5000 });
    const writers = new Writers(producer, history, { topic, partitions: allPartitions, recordsPerSend: 5, pauseMs: 50, prefix: 'kill' });
    const poller = new Poller(brokers, history, { topic, partitions, pauseMs: 100 });
    const writesGoOn = async (description: string): Promise<void> => {
      const before = allPartitions.map((p) => history.ackedIn(p));
      await waitFor(() => allPartitions.every((p) => history.ackedIn(p) >= before[p]! + 25), {
        timeoutMs: 20_000,
        description: `acks=all writes to go on in every partition ${description} (${writers.describe()})`,
      });
    };
    const failoverMs: number[] = [];
    try {
      await writesGoOn('at the start');
      for (let round = 0; round < partitions; round++) {
        const before = await waitForView(brokers, topic, fullyInSync, { timeoutMs: 30_000, description: 'full ISRs before a kill' });
        const victim = cluster.node(before[round]!.leader);
        const killedAt = Date.now();
        await victim.kill();
        const after = await waitForView(brokers, topic, (v) => v.every((p) => p.leader >= 0 && p.leader !== victim.nodeId), {
          timeoutMs: sessionTimeoutMs + 10_000,
          description: `every partition to leave node ${victim.nodeId}`,
        });
        failoverMs.push(Date.now() - killedAt);
        console.log(`round ${round}: killed node ${victim.nodeId} (leader of p${round}); after ${failoverMs[round]} ms: ${describeView(after)}`);
        await writesGoOn(`after node ${victim.nodeId} died`);
        await victim.restart();
        const healed = await waitForView(brokers, topic, fullyInSync, {
          timeoutMs: 30_000,
          description: `node ${victim.nodeId} to rejoin every ISR`,
        });
        console.log(`round ${round}: node ${victim.nodeId} back in every ISR ${Date.now() - killedAt} ms after the kill: ${describeView(healed)}`);
      }
      await writesGoOn('after the last restart');
    } finally {
      await writers.stop();
      await poller.stop();
      await producer.disconnect();
    }
    console.log(`writers: ${writers.describe()}; poller read ${history.seenCount()} records (${poller.errors} failed polls)`);

    const view = await waitForView(brokers, topic, fullyInSync, { timeoutMs: 30_000, description: 'full ISRs at the end' });
    const reads = new Map<number, PartitionRead>();
    for (const p of view) reads.set(p.partition, await readWholePartition(cluster.node(p.leader), topic, p.partition));
    for (const [partition, read] of reads) {
      console.log(`p${partition}: high watermark ${read.highWatermark}, ${History.duplicates(read)} values written twice (retries, no idempotence)`);
    }
    const problems = history.check(reads);
    expect(problems.slice(0, 30), `${problems.length} problems`).toEqual([]);
    expect(history.ackCount).toBeGreaterThan(300);

    await stopNodes(cluster.nodes);
    const differences = allPartitions.flatMap((p) => compareReplicas(cluster.nodes, topic, p, reads.get(p)!.highWatermark));
    expect(differences).toEqual([]);
  }, 240_000);
});
