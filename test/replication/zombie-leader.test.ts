import { Produce } from '@rill/protocol';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { Cluster, waitFor, type ServerProcess } from '@rill/testkit';
import { RawKafkaClient } from '../support/raw-kafka-client.js';
import { History } from './support/history.js';
import { compareReplicas, printNodeOutput, stopNodes } from './support/replica-logs.js';
import { createTopic, describeView, produceBody, produceOn, produceTo, readWholePartition, waitForView, type PartitionRead } from './support/wire.js';
import { RawWriters, Writers, connectProducer } from './support/workload.js';

/**
 * Fault F5 of the reliability plan (zombie leader, I11): the leader of a partition is paused
 * with SIGSTOP past broker.session.timeout.ms, the controller fences it and elects a new
 * leader, acks=all writes go on there; then the old leader wakes up. It must acknowledge
 * nothing it is handed after losing leadership, and the tail only it wrote must be cut when
 * it rejoins: afterwards every acknowledged record is in place and the replicas are
 * byte-identical below the high watermark.
 *
 * To be sure there is a divergent tail, both followers are paused for a moment first while
 * the leader takes a few acks=1 writes, and the leader is paused before they wake. The
 * controller runs in its own process (node 1; brokers 2–4), so pausing two brokers leaves the
 * quorum alone.
 */
const topic = 'zombie';
const sessionTimeoutMs = 3000;
const tailRecords = 10;

describe('a partition leader paused past its controller session (zombie leader)', () => {
  let cluster: Cluster;
  const paused = new Set<number>();

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 4,
      controllers: 1,
      properties: {
        'broker.session.timeout.ms': sessionTimeoutMs,
        'broker.heartbeat.interval.ms': 500,
        'min.insync.replicas': 2,
        'auto.create.topics.enable': false,
      },
    });
  });

  afterAll(async () => {
    for (const id of paused) await cluster?.node(id).signal('SIGCONT');
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

  it('acknowledges nothing after losing leadership, and its divergent tail is truncated', async () => {
    onTestFailed(() => printNodeOutput(cluster.nodes));
    const brokers = (): ServerProcess[] => cluster.running().filter((n) => n.hasBrokerRole && !paused.has(n.nodeId));
    await createTopic(brokers(), topic, 1, 3);
    const start = await waitForView(brokers, topic, (v) => v.length === 1 && v[0]!.leader >= 0 && v[0]!.isr.length === 3, {
      timeoutMs: 20_000,
      description: `${topic} to have a leader and a full ISR`,
    });
    const zombie = cluster.node(start[0]!.leader);
    const followers = start[0]!.replicas.filter((id) => id !== zombie.nodeId).map((id) => cluster.node(id));

    const history = new History();
    // Two writers. A raw one asks the brokers the test has not paused where the leader is and
    // gives up on a silent broker after 3 s, so it keeps writing through the failover. A kafkajs
    // one waits 30 s, so it has a write parked on the old leader when that one wakes up, and
    // records an acknowledgement if the zombie gives one.
    const quickWriters = new RawWriters(brokers, history, { topic, partitions: [0], recordsPerSend: 5, pauseMs: 20, prefix: 'quick', timeoutMs: 3000 });
    const patient = await connectProducer({ brokers: cluster.bootstrap, requestTimeoutMs: 40_000, retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 } });
    const patientWriters = new Writers(patient, history, { topic, partitions: [0], recordsPerSend: 1, pauseMs: 20, prefix: 'patient', sendTimeoutMs: 30_000 });
    const tailClient = await RawKafkaClient.connect(zombie.kafkaPort);
    const probeAcksAll = await RawKafkaClient.connect(zombie.kafkaPort);
    const probeAcksOne = await RawKafkaClient.connect(zombie.kafkaPort);
    const tail: { offset: number; value: string }[] = [];
    const zombieWrites = ['zombie-probe-acks-all', 'zombie-probe-acks-1'];
    try {
      await waitFor(() => history.ackCount >= 100, { timeoutMs: 15_000, description: `first writes (${quickWriters.describe()})` });

      // A tail only the leader has: its followers are asleep while it takes acks=1 writes.
      // (A follower's long-poll already waiting on the leader may still carry the first one off.)
      for (const follower of followers) await pause(follower);
      for (let i = 0; i < tailRecords; i++) {
        const value = `zombie-tail-${i}`;
        history.attempt([value]);
        const answer = await produceOn(tailClient, topic, 0, 1, [value]);
        expect(answer.errorCode, `acks=1 write ${i} to the healthy leader`).toBe(0);
        tail.push({ offset: answer.baseOffset, value });
      }
      await pause(zombie);
      for (const follower of followers) await resume(follower);
      const pausedAt = Date.now();

      const moved = await waitForView(brokers, topic, (v) => v[0]!.leader >= 0 && v[0]!.leader !== zombie.nodeId && !v[0]!.isr.includes(zombie.nodeId), {
        timeoutMs: sessionTimeoutMs + 10_000,
        description: `a new leader in place of the paused node ${zombie.nodeId}`,
      });
      console.log(`node ${zombie.nodeId} paused; ${Date.now() - pausedAt} ms later: ${describeView(moved)}`);
      const newLeader = cluster.node(moved[0]!.leader);

      const ackedBefore = history.ackCount;
      await waitFor(() => history.ackCount >= ackedBefore + 50, {
        timeoutMs: 20_000,
        description: `acks=all writes to go on at the new leader ${newLeader.nodeId} (${quickWriters.describe()})`,
      });
      const direct = ['new-leader-direct'];
      history.attempt(direct);
      const directAnswer = await produceTo(newLeader, topic, 0, -1, direct);
      expect(directAnswer.errorCode, 'acks=all write straight to the new leader').toBe(0);
      history.ack(0, directAnswer.baseOffset, direct);

      // Writes aimed at the zombie, queued in its sockets before it wakes, so they are the
      // first thing it reads.
      history.attempt(zombieWrites);
      const send = (client: RawKafkaClient, acks: number, value: string): Promise<string | number> =>
        client.request(Produce, 7, produceBody(topic, 0, acks, [value])).then(
          (response) => response.responses[0]!.partitionResponses[0]!.errorCode,
          (error: unknown) => `no answer (${(error as Error).message})`,
        );
      const acksAllAnswer = send(probeAcksAll, -1, zombieWrites[0]!);
      const acksOneAnswer = send(probeAcksOne, 1, zombieWrites[1]!);
      await resume(zombie);
      const [acksAll, acksOne] = await Promise.all([acksAllAnswer, acksOneAnswer]);
      console.log(`the woken zombie answered acks=all with ${acksAll}, acks=1 with ${acksOne}`);
      expect(acksAll, 'the old leader acknowledged an acks=all write after losing leadership').not.toBe(0);
      expect(acksOne, 'the old leader acknowledged an acks=1 write after its controller session lapsed').not.toBe(0);

      const healed = await waitForView(brokers, topic, (v) => v[0]!.leader >= 0 && v[0]!.isr.length === 3, {
        timeoutMs: 30_000,
        description: `node ${zombie.nodeId} to rejoin the ISR`,
      });
      console.log(`node ${zombie.nodeId} back in the ISR ${Date.now() - pausedAt} ms after the pause: ${describeView(healed)}`);
      const ackedAfter = history.ackCount;
      await waitFor(() => history.ackCount >= ackedAfter + 25, { timeoutMs: 20_000, description: 'acks=all writes after the heal' });
    } finally {
      await quickWriters.stop();
      await patientWriters.stop();
      for (const client of [tailClient, probeAcksAll, probeAcksOne]) client.close();
      for (const id of [...paused]) await resume(cluster.node(id));
      await patient.disconnect();
    }
    console.log(`quick writer: ${quickWriters.describe()}; patient writer: ${patientWriters.describe()}`);

    const view = await waitForView(brokers, topic, (v) => v[0]!.leader >= 0 && v[0]!.isr.length === 3, {
      timeoutMs: 30_000,
      description: 'a full ISR at the end',
    });
    const read = await readWholePartition(cluster.node(view[0]!.leader), topic, 0);
    const problems = history.check(new Map<number, PartitionRead>([[0, read]]));
    expect(problems.slice(0, 30), `${problems.length} problems`).toEqual([]);
    const values = new Set(read.records.map((r) => r.value));
    expect(zombieWrites.filter((v) => values.has(v)), 'writes handed to the zombie are in the log').toEqual([]);
    const kept = tail.filter((t) => read.records[t.offset]?.value === t.value).length;
    console.log(`divergent tail: ${kept} of ${tail.length} acks=1 writes to the old leader survived, ${tail.length - kept} were truncated`);

    const replicas = view[0]!.replicas.map((id) => cluster.node(id));
    await stopNodes(replicas);
    expect(compareReplicas(replicas, topic, 0, read.highWatermark)).toEqual([]);
  }, 150_000);
});
