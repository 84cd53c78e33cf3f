import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { Cluster, waitFor, type ServerProcess } from '@rill/testkit';
import { History } from './support/history.js';
import { compareReplicas, printNodeOutput, stopNodes } from './support/replica-logs.js';
import { createTopic, describeView, metricOf, produceTo, readWholePartition, waitForView, type PartitionRead, type TopicView } from './support/wire.js';
import { Writers, connectProducer, errorName, protocolError, sendAcksAll } from './support/workload.js';

/**
 * Fault F6 of the reliability plan: a follower paused with SIGSTOP past replica.lag.time.max.ms
 * leaves the ISR and rejoins after SIGCONT; acks=all keeps working with 2 of 3 in sync, and
 * fails with NOT_ENOUGH_REPLICAS once only the leader is left, while acks=1 still works.
 *
 * The controller runs in its own process (node 1; brokers are 2–4): with combined nodes,
 * pausing both followers would also pause two of three controllers, the quorum could not
 * commit the ISR shrink, and the leader's own controller session would lapse. The session
 * timeout is long so that a paused follower leaves the ISR because the leader saw it lag,
 * not because the controller fenced it.
 */
const topic = 'follower-pause';
const lagMaxMs = 3000;
const byNumber = (a: number, b: number): number => a - b;

describe('a follower paused past replica.lag.time.max.ms', () => {
  let cluster: Cluster;
  const paused = new Set<number>();

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 4,
      controllers: 1,
      properties: {
        'broker.session.timeout.ms': 20_000,
        'broker.heartbeat.interval.ms': 500,
        'replica.lag.time.max.ms': lagMaxMs,
        'min.insync.replicas': 2,
        'auto.create.topics.enable': false,
      },
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  async function pause(node: ServerProcess): Promise<void> {
    paused.add(node.nodeId);
    await node.signal('SIGSTOP');
  }

  async function resume(node: ServerProcess): Promise<void> {
    await node.signal('SIGCONT');
    paused.delete(node.nodeId);
  }

  it('leaves the ISR and rejoins; acks=all works with 2 in sync and is refused with 1', async () => {
    onTestFailed(() => printNodeOutput(cluster.nodes));
    const brokers = (): ServerProcess[] => cluster.running().filter((n) => n.hasBrokerRole && !paused.has(n.nodeId));
    const isr = (members: readonly number[]) => (view: TopicView): boolean =>
      view[0]!.leader >= 0 && JSON.stringify(view[0]!.isr) === JSON.stringify([...members].sort(byNumber));
    await createTopic(brokers(), topic, 1, 3);
    const start = await waitForView(brokers, topic, (v) => v.length === 1 && v[0]!.isr.length === 3 && v[0]!.leader >= 0, {
      timeoutMs: 20_000,
      description: `${topic} to have a leader and a full ISR`,
    });
    const leader = cluster.node(start[0]!.leader);
    const [first, second] = start[0]!.replicas.filter((id) => id !== leader.nodeId).map((id) => cluster.node(id)) as [ServerProcess, ServerProcess];
    const counter = async (name: string): Promise<number> => (await metricOf(leader, name)) ?? 0;
    /** The leader's metrics follow its own state, which may trail the metadata by one answer. */
    const metricReaches = (name: string, accept: (value: number) => boolean, what: string): Promise<number> =>
      waitFor(
        async () => {
          const value = await counter(name);
          if (!accept(value)) throw new Error(`it is ${value}`);
          return { value };
        },
        { timeoutMs: 5000, description: `${name} on leader ${leader.nodeId} to be ${what}` },
      ).then((found) => found.value);
    const shrinks0 = await counter('rill_isr_shrinks_total');
    const expands0 = await counter('rill_isr_expands_total');

    const history = new History();
    // Bootstrapped at the leader alone: kafkajs refreshes metadata from any broker it holds a
    // connection to, and a paused one would hold that refresh (and the error we expect) hostage.
    const producer = await connectProducer({ brokers: [leader.bootstrap], requestTimeoutMs: 30_000, retry: { retries: 0 } });
    let strictProducer = producer;
    try {
      const writers = new Writers(producer, history, { topic, partitions: [0], recordsPerSend: 1, pauseMs: 20, prefix: 'steady' });
      try {
        await waitFor(() => history.ackCount >= 50, { timeoutMs: 15_000, description: `first acks=all writes (${writers.describe()})` });

        // One follower stops: after replica.lag.time.max.ms the leader drops it from the ISR.
        const pausedAt = Date.now();
        await pause(first);
        await waitForView(brokers, topic, isr([leader.nodeId, second.nodeId]), {
          timeoutMs: lagMaxMs + 10_000,
          description: `node ${first.nodeId} to leave the ISR`,
        });
        console.log(`paused follower ${first.nodeId} left the ISR after ${Date.now() - pausedAt} ms (replica.lag.time.max.ms ${lagMaxMs})`);
        await metricReaches('rill_isr_shrinks_total', (v) => v >= shrinks0 + 1, `at least ${shrinks0 + 1}`);
        await metricReaches('rill_partitions_under_replicated', (v) => v === 1, '1');
        await metricReaches('rill_partitions_under_min_isr', (v) => v === 0, '0');
        const ackedWithTwo = history.ackCount;
        await waitFor(() => history.ackCount >= ackedWithTwo + 50, {
          timeoutMs: 15_000,
          description: `acks=all writes with 2 of 3 in sync (${writers.describe()})`,
        });

        // It resumes, catches up, and the leader takes it back.
        const resumedAt = Date.now();
        await resume(first);
        await waitForView(brokers, topic, isr([leader.nodeId, first.nodeId, second.nodeId]), {
          timeoutMs: 15_000,
          description: `node ${first.nodeId} to rejoin the ISR`,
        });
        console.log(`follower ${first.nodeId} rejoined the ISR ${Date.now() - resumedAt} ms after SIGCONT`);
        await metricReaches('rill_isr_expands_total', (v) => v >= expands0 + 1, `at least ${expands0 + 1}`);
        await metricReaches('rill_partitions_under_replicated', (v) => v === 0, '0');
      } finally {
        await writers.stop();
      }
      console.log(`steady writer: ${writers.describe()}`);
      expect(writers.stats.failed, `acks=all writes failed while one follower was paused: ${writers.describe()}`).toBe(0);

      // Both followers stop: the ISR shrinks to the leader alone, below min.insync.replicas.
      const shrinksBefore = await counter('rill_isr_shrinks_total');
      await pause(first);
      await pause(second);
      await waitForView(brokers, topic, isr([leader.nodeId]), {
        timeoutMs: lagMaxMs + 10_000,
        description: `the ISR to shrink to the leader ${leader.nodeId} alone`,
      });
      await metricReaches('rill_isr_shrinks_total', (v) => v >= shrinksBefore + 1, `at least ${shrinksBefore + 1}`);
      await metricReaches('rill_partitions_under_min_isr', (v) => v === 1, '1');

      const refused = ['refused-kafkajs'];
      history.attempt(refused);
      const failure = await producer.send({ topic, acks: -1, timeout: 5000, messages: [{ partition: 0, value: refused[0]! }] }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure, 'acks=all with the leader alone in the ISR must fail').not.toBeNull();
      expect(protocolError(failure)?.type, `kafkajs error: ${errorName(failure)}`).toBe('NOT_ENOUGH_REPLICAS');
      history.definitelyFailed(refused);
      const rawRefused = ['refused-raw'];
      history.attempt(rawRefused);
      expect((await produceTo(leader, topic, 0, -1, rawRefused)).errorCode).toBe(19);
      history.definitelyFailed(rawRefused);

      const leaderOnly = ['acks-1-with-leader-alone'];
      history.attempt(leaderOnly);
      const [written] = await producer.send({ topic, acks: 1, timeout: 5000, messages: [{ partition: 0, value: leaderOnly[0]! }] });
      expect(written!.errorCode).toBe(0);
      const leaderOnlyOffset = Number(written!.baseOffset);

      // Both come back; the ISR heals and acks=all works again.
      await resume(first);
      await resume(second);
      const healed = await waitForView(brokers, topic, isr([leader.nodeId, first.nodeId, second.nodeId]), {
        timeoutMs: 20_000,
        description: 'both followers to rejoin the ISR',
      });
      console.log(`after SIGCONT of both: ${describeView(healed)}`);
      strictProducer = await connectProducer({ brokers: [leader.bootstrap], requestTimeoutMs: 30_000, retry: { retries: 0 } });
      expect(await sendAcksAll(strictProducer, history, topic, 0, ['after-heal'])).toBe(true);
      await metricReaches('rill_partitions_under_min_isr', (v) => v === 0, '0');
      await metricReaches('rill_partitions_under_replicated', (v) => v === 0, '0');

      const read = await readWholePartition(leader, topic, 0);
      const problems = history.check(new Map<number, PartitionRead>([[0, read]]));
      expect(problems.slice(0, 30), `${problems.length} problems`).toEqual([]);
      expect(read.records[leaderOnlyOffset]?.value).toBe(leaderOnly[0]);

      await stopNodes(brokers());
      expect(compareReplicas([leader, first, second], topic, 0, read.highWatermark)).toEqual([]);
    } finally {
      for (const id of [...paused]) await cluster.node(id).signal('SIGCONT');
      paused.clear();
      await producer.disconnect();
      if (strictProducer !== producer) await strictProducer.disconnect();
    }
  }, 120_000);
});
