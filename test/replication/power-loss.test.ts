import { readFileSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { Cluster, waitFor, type ServerProcess } from '@rill/testkit';
import { History } from './support/history.js';
import { partitionDir, printNodeOutput, readReplicaLog, segmentFiles } from './support/replica-logs.js';
import { createTopic, readWholePartition, waitForView, type PartitionRead, type TopicView } from './support/wire.js';
import { connectProducer, sendAcksAll } from './support/workload.js';

/**
 * Durability mode (log.flush.on.ack, fault F22/F23 of the reliability plan): every replica
 * fsyncs before its copy counts toward the high watermark, so an acks=all write survives
 * losing power on the whole ISR at once. Power loss is simulated after kill -9 by cutting
 * every replica's log back to its recovery point — what its last completed fsync recorded —
 * dropping everything the page cache held beyond it. No acknowledged record may be lost.
 */
const topic = 'power-loss';
const partitions = 2;

describe('every replica losing power at once, with log.flush.on.ack', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 3,
      roles: 'broker,controller',
      properties: {
        'log.flush.on.ack': true,
        'min.insync.replicas': 2,
        'broker.session.timeout.ms': 3000,
        'broker.heartbeat.interval.ms': 500,
        'auto.create.topics.enable': false,
      },
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  /** Cuts a replica's log to the offset its last fsync recorded, as a power cut would. */
  function losePower(node: ServerProcess, partition: number): number {
    const text = readFileSync(join(partitionDir(node, topic, partition), 'recovery-point'), 'utf8');
    const durable = Number(/^0\n(\d+)\n$/.exec(text)?.[1] ?? Number.NaN);
    expect(durable, `recovery point of node ${node.nodeId} p${partition}: ${JSON.stringify(text)}`).not.toBeNaN();
    const firstLost = readReplicaLog(node, topic, partition).batches.find((b) => b.lastOffset >= durable);
    if (firstLost === undefined) return durable;
    for (const file of segmentFiles(node, topic, partition)) {
      const base = Number(/(\d{20})\.log$/.exec(file)![1]);
      if (file === firstLost.file) {
        truncateSync(file, firstLost.position);
      } else if (base > firstLost.baseOffset) {
        for (const suffix of ['.log', '.index', '.timeindex']) rmSync(file.replace(/\.log$/, suffix), { force: true });
      }
    }
    return durable;
  }

  it('loses no acknowledged write', async () => {
    onTestFailed(() => printNodeOutput(cluster.nodes));
    const brokers = (): ServerProcess[] => cluster.running();
    const ready = (v: TopicView): boolean => v.length === partitions && v.every((p) => p.leader >= 0 && p.isr.length === 3);
    await createTopic(brokers(), topic, partitions, 3);
    await waitForView(brokers, topic, ready, { timeoutMs: 20_000, description: `${topic} to have leaders and full ISRs` });

    const history = new History();
    const producers = await Promise.all(
      Array.from({ length: partitions }, () => connectProducer({ brokers: cluster.bootstrap, requestTimeoutMs: 10_000, retry: { retries: 0 } })),
    );
    // One writer per partition keeps acks=all sends in flight until the power goes, so the
    // cut meets data that was written but not yet fsynced everywhere.
    let powered = true;
    const writers = producers.map(async (producer, partition) => {
      for (let send = 0; powered && send < 400; send++) {
        const values = Array.from({ length: 25 }, (_, i) => `p${partition}-${send}-${i}`);
        try {
          await sendAcksAll(producer, history, topic, partition, values, 10_000);
        } catch {
          return;
        }
      }
    });
    await waitFor(() => (history.ackCount >= 1000 ? true : null), { timeoutMs: 60_000, intervalMs: 20, description: '1000 acknowledged records' });
    await Promise.all(cluster.nodes.map((node) => node.kill()));
    powered = false;
    await Promise.all(writers);
    await Promise.all(producers.map((producer) => producer.disconnect().catch(() => undefined)));

    const durable = cluster.nodes.flatMap((node) =>
      Array.from({ length: partitions }, (_, p) => {
        const end = readReplicaLog(node, topic, p).batches.at(-1)?.lastOffset ?? -1;
        return `node ${node.nodeId} p${p}: ${losePower(node, p)} of ${end + 1}`;
      }),
    );
    console.log(`recovery points after the power cut: ${durable.join(', ')}`);
    // No node can become ready alone: each needs a quorum of the others.
    await Promise.all(cluster.nodes.map((node) => node.restart()));

    await waitForView(brokers, topic, (v) => v.length === partitions && v.every((p) => p.leader >= 0), {
      timeoutMs: 30_000,
      description: `${topic} to have leaders again`,
    });
    // After a full restart a leader's high watermark starts from its last checkpoint and
    // moves up as the followers fetch again: read once it covers what was acknowledged.
    const reads = new Map<number, PartitionRead>();
    for (let partition = 0; partition < partitions; partition++) {
      const read = await waitFor(
        async () => {
          const view = await waitForView(brokers, topic, (v) => v[partition]!.leader >= 0, { timeoutMs: 10_000, description: `p${partition} leader` });
          const current = await readWholePartition(cluster.node(view[partition]!.leader), topic, partition);
          return current.highWatermark >= history.ackedIn(partition) ? current : null;
        },
        { timeoutMs: 30_000, intervalMs: 200, description: `p${partition}'s high watermark to cover its ${history.ackedIn(partition)} acknowledged records` },
      );
      reads.set(partition, read);
    }
    const problems = history.check(reads);
    expect(problems.slice(0, 30), `${problems.length} problems among ${history.ackCount} acknowledged records`).toEqual([]);
  }, 120_000);
});
