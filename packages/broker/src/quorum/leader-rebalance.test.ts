import { Writable } from 'node:stream';
import { ErrorCode } from '@rill/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionView } from '../metadata/cluster-view.js';
import { countLeaderElections } from '../observability/cluster-metrics.js';
import { NodeMetrics } from '../observability/metrics.js';
import { eventually, startControllerHarness, type ControllerHarness } from './testing/controller-harness.js';

/**
 * auto.leader.rebalance.enable through the LocalController's own timer, with a one-second
 * leader.imbalance.check.interval.seconds: a broker that was stopped and came back gets its
 * preferred leadership back once it is in the ISR again — not before.
 */
describe('automatic preferred leader election', () => {
  let harness: ControllerHarness;
  const logLines: { msg: string; [key: string]: unknown }[] = [];
  const metrics = new NodeMetrics();

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line !== '') logLines.push(JSON.parse(line) as { msg: string });
        done();
      },
    });
    harness = await startControllerHarness({ 'leader.imbalance.check.interval.seconds': 1 }, pino({ level: 'info' }, sink));
    harness.brokerQuorum.metadata.subscribe((delta, image) => countLeaderElections(metrics, delta, image));
  });

  afterAll(async () => {
    await harness?.close();
  });

  function partition(): PartitionView {
    return harness.store.current().topics.get('preferred')!.partitions[0]!;
  }

  it('moves leadership back to the preferred replica once it is live and in the ISR, as a clean election', async () => {
    const broker3 = await harness.addBroker(3);
    const [created] = await harness.store.createTopics(
      [{ name: 'preferred', numPartitions: -1, replicationFactor: -1, assignments: [[2, 3]], configs: {} }],
      { validateOnly: false },
    );
    expect(created!.errorCode).toBe(ErrorCode.NONE);
    const topicId = harness.store.current().topics.get('preferred')!.topicId;

    // Broker 2 shuts down (fenced: leadership goes to 3, 2 leaves the ISR) and comes back.
    const broker2 = harness.controllerQuorum.metadata.image.cluster.brokers.get(2)!.incarnationId;
    await harness.client.brokerHeartbeat({ brokerId: 2, incarnationId: broker2, wantShutDown: true });
    await harness.client.brokerHeartbeat({ brokerId: 2, incarnationId: broker2 });
    await eventually(() => (partition().leader === 3 ? true : null), 5000, 'broker 3 to lead');
    expect(partition()).toMatchObject({ leader: 3, isr: [3], leaderEpoch: 1 });

    // Broker 3, the leader, takes 2 back into the ISR (what replication does once 2 caught up).
    const { leaderEpoch, partitionEpoch } = partition();
    const expanded = await harness.client.alterPartition({
      brokerId: 3,
      incarnationId: broker3,
      partitions: [{ topicId, partition: 0, leaderEpoch, partitionEpoch, newIsr: [3, 2] }],
    });
    expect(expanded.value[0]!.errorCode).toBe(ErrorCode.NONE);

    const back = await eventually(() => (partition().leader === 2 ? partition() : null), 5000, 'leadership to return to broker 2');
    expect(back).toMatchObject({ leader: 2, isr: [3, 2], leaderEpoch: 2 });
    expect(logLines).toContainEqual(
      expect.objectContaining({ msg: 'leadership moved back to the preferred replica', topicName: 'preferred', partition: 0, from: 3, to: 2 }),
    );
    const elections = (await metrics.leaderElections.get()).values;
    expect(elections.find((v) => v.labels.unclean === 'false')?.value).toBe(2);
    expect(elections.find((v) => v.labels.unclean === 'true')?.value ?? 0).toBe(0);
  });
});
