import { ErrorCode } from '@rill/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterView } from '../metadata/cluster-view.js';
import { eventually, startControllerHarness, type ControllerHarness } from './testing/controller-harness.js';

/**
 * Topic config changes and DescribeQuorum from a broker-only node, forwarded over gRPC to the
 * active controller: a change is answered once the broker has replayed it, and the quorum is
 * described as its leader sees it.
 */
describe('AlterConfigs and DescribeQuorum through the Controller service', () => {
  let harness: ControllerHarness;
  const published: ClusterView[] = [];

  beforeAll(async () => {
    harness = await startControllerHarness();
    harness.store.onTopicsChanged((view) => void published.push(view));
    const [created] = await harness.store.createTopics(
      [{ name: 'configured', numPartitions: 1, replicationFactor: 1, assignments: null, configs: { 'retention.ms': '1000' } }],
      { validateOnly: false },
    );
    expect(created!.errorCode).toBe(ErrorCode.NONE);
  });

  afterAll(async () => {
    await harness?.close();
  });

  const configs = () => harness.store.current().topics.get('configured')!.configs;

  it('sets and deletes keys incrementally, visible here when answered, and tells the listeners', async () => {
    const before = published.length;
    const outcomes = await harness.store.alterTopicConfigs(
      [{ name: 'configured', replace: false, operations: [{ key: 'segment.bytes', op: 'set', value: '65536' }, { key: 'retention.ms', op: 'delete', value: '' }] }],
      { validateOnly: false },
    );
    expect(outcomes).toEqual([{ name: 'configured', errorCode: ErrorCode.NONE, errorMessage: null }]);
    expect(configs()).toEqual({ 'segment.bytes': '65536' });
    await eventually(() => published.slice(before).some((v) => v.topics.get('configured')?.configs['segment.bytes'] === '65536') || null, 5000, 'listeners to see the change');
  });

  it('replaces the whole override set (legacy AlterConfigs), and validateOnly changes nothing', async () => {
    const replace = (validateOnly: boolean, value: string) =>
      harness.store.alterTopicConfigs([{ name: 'configured', replace: true, operations: [{ key: 'max.message.bytes', op: 'set', value }] }], { validateOnly });
    expect((await replace(true, '4096'))[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(configs()).toEqual({ 'segment.bytes': '65536' });
    expect((await replace(false, '4096'))[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(configs()).toEqual({ 'max.message.bytes': '4096' });
  });

  it('answers each topic on its own: an unknown topic or a bad value does not stop the others', async () => {
    const outcomes = await harness.store.alterTopicConfigs(
      [
        { name: 'missing', replace: false, operations: [{ key: 'retention.ms', op: 'set', value: '1' }] },
        { name: 'configured', replace: false, operations: [{ key: 'min.insync.replicas', op: 'set', value: '0' }] },
        { name: 'configured', replace: false, operations: [{ key: 'flush.ms', op: 'set', value: '500' }] },
      ],
      { validateOnly: false },
    );
    expect(outcomes.map((o) => o.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_CONFIG, ErrorCode.NONE]);
    expect(outcomes[1]!.errorMessage).toContain('at least 1');
    expect(configs()).toEqual({ 'max.message.bytes': '4096', 'flush.ms': '500' });
  });

  it('describes the quorum from the leader: itself first, then the broker-only node as an observer', async () => {
    const status = await eventually(async () => {
      const s = await harness.store.describeQuorum();
      return s !== null && s.observers.some((o) => o.replicaId === 2 && o.logEndOffset === s.highWatermark) ? s : null;
    }, 5000, 'node 2 to show as a caught-up observer');
    const core = harness.controllerQuorum.node.core;
    expect(status).toMatchObject({ leaderId: 1, leaderEpoch: core.epoch });
    expect(status.voters.map((v) => v.replicaId)).toEqual([1]);
    expect(status.voters[0]!.logEndOffset).toBeGreaterThanOrEqual(status.highWatermark);
    const observer = status.observers.find((o) => o.replicaId === 2)!;
    const now = Date.now();
    expect(observer.lastFetchTimestamp).toBeGreaterThan(now - 5000);
    expect(observer.lastFetchTimestamp).toBeLessThanOrEqual(now + 100);
    expect(observer.lastCaughtUpTimestamp).toBeGreaterThan(now - 5000);
  });
});
