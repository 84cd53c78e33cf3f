import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@rill/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionView } from '../metadata/cluster-view.js';
import { startControllerHarness, type ControllerHarness } from './testing/controller-harness.js';

/**
 * AlterPartition from a broker-only node to the controller over gRPC: the outcome comes back
 * only once the asking node has replayed it. Broker 2 is the store's own broker; broker 3 is
 * played by the test through a bare Controller client.
 */
describe('AlterPartition over gRPC', () => {
  let harness: ControllerHarness;
  let broker3: string;
  let topicId: string;

  beforeAll(async () => {
    harness = await startControllerHarness();
    broker3 = await harness.addBroker(3);
    const [created] = await harness.store.createTopics(
      [{ name: 'isr', numPartitions: -1, replicationFactor: -1, assignments: [[2, 3]], configs: {} }],
      { validateOnly: false },
    );
    expect(created!.errorCode).toBe(ErrorCode.NONE);
    topicId = harness.store.current().topics.get('isr')!.topicId;
  });

  afterAll(async () => {
    await harness?.close();
  });

  function seenByBroker(): PartitionView {
    return harness.store.current().topics.get('isr')!.partitions[0]!;
  }

  const item = (fields: { leaderEpoch: number; partitionEpoch: number; newIsr: number[] }) => ({ topicId, partition: 0, ...fields });

  it('accepts a shrink from the leader at the current epochs; the asking node already shows it', async () => {
    expect(seenByBroker()).toMatchObject({ leader: 2, isr: [2, 3], leaderEpoch: 0, partitionEpoch: 0 });
    const outcomes = await harness.store.alterPartition([item({ leaderEpoch: 0, partitionEpoch: 0, newIsr: [2] })], 5000);
    expect(outcomes).toEqual([{ topicId, partition: 0, errorCode: ErrorCode.NONE, leader: 2, leaderEpoch: 0, isr: [2], partitionEpoch: 1 }]);
    expect(seenByBroker()).toMatchObject({ leader: 2, isr: [2], leaderEpoch: 0, partitionEpoch: 1 });
  });

  it('refuses a stale partition epoch with INVALID_UPDATE_VERSION and the state as it stands', async () => {
    const [outcome] = (await harness.store.alterPartition([item({ leaderEpoch: 0, partitionEpoch: 0, newIsr: [2, 3] })], 5000))!;
    expect(outcome).toMatchObject({ errorCode: ErrorCode.INVALID_UPDATE_VERSION, isr: [2], partitionEpoch: 1 });
    expect(seenByBroker()).toMatchObject({ isr: [2], partitionEpoch: 1 });
  });

  it('refuses to add a fenced broker with INELIGIBLE_REPLICA, and adds it once it is unfenced', async () => {
    const fenced = await harness.client.brokerHeartbeat({ brokerId: 3, incarnationId: broker3, wantShutDown: true });
    expect(fenced.value.isFenced).toBe(true);
    const [refused] = (await harness.store.alterPartition([item({ leaderEpoch: 0, partitionEpoch: 1, newIsr: [2, 3] })], 5000))!;
    expect(refused).toMatchObject({ errorCode: ErrorCode.INELIGIBLE_REPLICA, isr: [2], partitionEpoch: 1 });

    expect((await harness.client.brokerHeartbeat({ brokerId: 3, incarnationId: broker3 })).value.isFenced).toBe(false);
    const [added] = (await harness.store.alterPartition([item({ leaderEpoch: 0, partitionEpoch: 1, newIsr: [2, 3] })], 5000))!;
    expect(added).toMatchObject({ errorCode: ErrorCode.NONE, isr: [2, 3], partitionEpoch: 2 });
    expect(seenByBroker()).toMatchObject({ isr: [2, 3], partitionEpoch: 2 });
  });

  it('refuses a stale incarnation with STALE_BROKER_EPOCH, over the wire', async () => {
    const answer = await harness.client.alterPartition({
      brokerId: 3,
      incarnationId: randomUUID(),
      partitions: [item({ leaderEpoch: 0, partitionEpoch: 2, newIsr: [2, 3] })],
    });
    expect(answer.value).toEqual([
      { topicId, partition: 0, errorCode: ErrorCode.STALE_BROKER_EPOCH, leader: 2, leaderEpoch: 0, isr: [2, 3], partitionEpoch: 2 },
    ]);
  });

  it('fences a leader that lost leadership with FENCED_LEADER_EPOCH', async () => {
    // Broker 2 stops (controlled shutdown): broker 3 leads at leader epoch 1. Then 2 is back.
    const incarnation2 = await brokerTwoIncarnation(harness);
    expect((await harness.client.brokerHeartbeat({ brokerId: 2, incarnationId: incarnation2, wantShutDown: true })).value.isFenced).toBe(true);
    expect((await harness.client.brokerHeartbeat({ brokerId: 2, incarnationId: incarnation2 })).value.isFenced).toBe(false);
    const [outcome] = (await harness.store.alterPartition([item({ leaderEpoch: 0, partitionEpoch: 2, newIsr: [2] })], 5000))!;
    expect(outcome).toMatchObject({ errorCode: ErrorCode.FENCED_LEADER_EPOCH, leader: 3, leaderEpoch: 1, isr: [3] });
    expect(seenByBroker()).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [3] });

    // The new leader, at its epoch, is heard: it takes broker 2 back into the ISR.
    const state = seenByBroker();
    const answer = await harness.client.alterPartition({
      brokerId: 3,
      incarnationId: broker3,
      partitions: [item({ leaderEpoch: state.leaderEpoch, partitionEpoch: state.partitionEpoch, newIsr: [3, 2] })],
    });
    expect(answer.value[0]).toMatchObject({ errorCode: ErrorCode.NONE, leader: 3, isr: [3, 2] });
    expect(answer.committedOffset).toBeGreaterThan(0);
  });
});

/** The incarnation node 2 registered broker 2 with, as the controller's image has it. */
async function brokerTwoIncarnation(harness: ControllerHarness): Promise<string> {
  return harness.controllerQuorum.metadata.image.cluster.brokers.get(2)!.incarnationId;
}
