import { statSync, truncateSync } from 'node:fs';
import { basename } from 'node:path';
import { SeededRandom } from '@rill/base';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { Cluster, waitFor, type ServerProcess } from '@rill/testkit';
import { History } from './support/history.js';
import { compareReplicas, printNodeOutput, readReplicaLog, segmentFiles, stopNodes } from './support/replica-logs.js';
import { createTopic, describeView, metricOf, readWholePartition, waitForView, type PartitionRead, type TopicView } from './support/wire.js';
import { connectProducer, sendAcksAll } from './support/workload.js';

/**
 * Fault F20 of the reliability plan (I12, I4): kill -9 a follower, cut its active segment in
 * the middle of its last batch, as a crash during a write would leave it, and restart it. It
 * must recover (cut the torn batch), fetch again what it lost, rejoin the ISR, and end up
 * byte-identical to the leader below the high watermark. The cut point comes from a seed,
 * printed, and taken from RILL_SEED when set.
 */
const topic = 'torn-tail';
const sessionTimeoutMs = 3000;
const seed = process.env['RILL_SEED'] !== undefined ? Number(process.env['RILL_SEED']) : Math.floor(Math.random() * 2 ** 31);

describe('a follower restarted with a torn last batch', () => {
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

  it(`recovers, refetches, rejoins the ISR and matches the leader byte for byte (RILL_SEED=${seed})`, async () => {
    onTestFailed(() => printNodeOutput(cluster.nodes));
    const random = new SeededRandom(seed);
    const brokers = (): ServerProcess[] => cluster.running();
    const full = (v: TopicView): boolean => v.length === 1 && v[0]!.leader >= 0 && v[0]!.isr.length === 3;
    await createTopic(brokers(), topic, 1, 3);
    const start = await waitForView(brokers, topic, full, { timeoutMs: 20_000, description: `${topic} to have a leader and a full ISR` });

    const history = new History();
    const producer = await connectProducer({ brokers: cluster.bootstrap, requestTimeoutMs: 5000 });
    let written = 0;
    const produce = async (count: number, what: string): Promise<void> => {
      for (let send = 0; send < count / 25; send++) {
        const values = Array.from({ length: 25 }, (_, i) => `${what}-${send}-${i}`);
        expect(await sendAcksAll(producer, history, topic, 0, values, 15_000), `acks=all send ${send} (${what})`).toBe(true);
        written += values.length;
      }
    };
    try {
      await produce(1500, 'before');

      // The victim is a follower; prefer one that is not the active controller, so only the
      // replica dies and no election of the quorum gets in the way.
      const leaderId = start[0]!.leader;
      const candidates = start[0]!.replicas.filter((id) => id !== leaderId).map((id) => cluster.node(id));
      const active = await Promise.all(candidates.map(async (n) => (await metricOf(n, 'rill_controller_active')) === 1));
      const victim = candidates.find((_, i) => !active[i]) ?? candidates[0]!;
      // It has everything acknowledged; wait for it to hold the whole leader log too.
      await waitFor(async () => ((await metricOf(victim, 'rill_partition_high_watermark', { topic, partition: '0' })) ?? -1) >= written, {
        timeoutMs: 10_000,
        description: `follower ${victim.nodeId} to have the high watermark ${written}`,
      });
      await victim.kill();

      const active0 = segmentFiles(victim, topic, 0).at(-1)!;
      const before = readReplicaLog(victim, topic, 0);
      expect(before.problems).toEqual([]);
      const last = before.batches.at(-1)!;
      const cut = last.position + random.between(1, last.bytes.length - 1);
      console.log(
        `seed ${seed}: node ${victim.nodeId}'s active segment ${basename(active0)} is ${statSync(active0).size} bytes; ` +
          `its last batch (offsets ${last.baseOffset}..${last.lastOffset}) spans bytes ${last.position}..${last.position + last.bytes.length}; cut at ${cut}`,
      );
      truncateSync(active0, cut);
      expect(readReplicaLog(victim, topic, 0).problems).not.toEqual([]);

      // Writes go on with two in sync while the victim is down.
      await produce(500, 'while-down');
      await victim.restart();
      const healed = await waitForView(brokers, topic, full, { timeoutMs: 30_000, description: `node ${victim.nodeId} to rejoin the ISR` });
      console.log(`after the restart: ${describeView(healed)}`);
      const recoveryLines = victim.output.split('\n').filter((line) => /recover/i.test(line));
      console.log(`node ${victim.nodeId} on recovery:\n${recoveryLines.slice(-5).join('\n') || '(nothing logged)'}`);
      await produce(500, 'after');
    } finally {
      await producer.disconnect();
    }

    const view = await waitForView(brokers, topic, full, { timeoutMs: 30_000, description: 'a full ISR at the end' });
    const read = await readWholePartition(cluster.node(view[0]!.leader), topic, 0);
    expect(read.highWatermark).toBeGreaterThanOrEqual(written);
    const problems = history.check(new Map<number, PartitionRead>([[0, read]]));
    expect(problems.slice(0, 30), `${problems.length} problems`).toEqual([]);

    await stopNodes(cluster.nodes);
    expect(compareReplicas(cluster.nodes, topic, 0, read.highWatermark)).toEqual([]);
  }, 150_000);
});
