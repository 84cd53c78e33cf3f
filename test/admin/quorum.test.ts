import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, type QuorumDescription } from '@rill/client';
import { DescribeQuorum, ErrorCode } from '@rill/protocol';
import { Cluster, waitFor } from '@rill/testkit';
import { runCli } from '../cli/run-cli.js';
import { RawKafkaClient } from '../support/raw-kafka-client.js';

const metadataPartition = [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }];

/**
 * DescribeQuorum against three controller-only nodes and one broker-only node: the broker
 * forwards it to the active controller, which reports the voters and the broker (an
 * observer); after the leader is killed the new leader answers.
 */
describe('DescribeQuorum with separate controllers', () => {
  let cluster: Cluster;
  let admin: Admin;
  let broker: RawKafkaClient;

  beforeAll(async () => {
    cluster = await Cluster.start({ nodes: 4, controllers: 3, properties: { 'auto.create.topics.enable': false } });
    admin = new Admin({ brokers: cluster.bootstrap, clientId: 'quorum-test' });
    broker = await RawKafkaClient.connect(cluster.node(4).kafkaPort);
  });

  afterAll(async () => {
    broker?.socket.destroy();
    await admin?.close();
    await cluster?.destroy();
  });

  /** The quorum once every voter and the observer have caught up with the leader. */
  function settled(): Promise<QuorumDescription> {
    return waitFor(async () => {
      const quorum = await admin.describeQuorum().catch(() => null);
      const replicas = [...(quorum?.voters ?? []), ...(quorum?.observers ?? [])];
      return quorum !== null && replicas.length === 4 && replicas.every((r) => r.lag === 0) ? quorum : null;
    }, { timeoutMs: 15_000, description: 'every replica of the quorum to catch up' });
  }

  it('answers v0 and v1 through the broker: leader, epoch, high watermark, voters and the observer', async () => {
    const quorum = await settled();
    expect(quorum.voters.map((v) => v.nodeId).sort()).toEqual([1, 2, 3]);
    expect(quorum.voters[0]).toMatchObject({ nodeId: quorum.leaderId, role: 'leader', lag: 0 });
    expect(quorum.observers).toEqual([expect.objectContaining({ nodeId: 4, role: 'observer', lag: 0 })]);
    expect(quorum.highWatermark).toBeGreaterThan(0);
    const now = Date.now();
    for (const replica of [...quorum.voters, ...quorum.observers]) {
      expect(replica.lastFetchTimestamp).toBeGreaterThan(now - 10_000);
      expect(replica.lastCaughtUpTimestamp).toBeGreaterThan(now - 10_000);
    }
    for (const version of [0, 1]) {
      const response = await broker.request(DescribeQuorum, version, { topics: metadataPartition });
      const partition = response.topics[0]!.partitions[0]!;
      expect(response.errorCode).toBe(ErrorCode.NONE);
      expect(partition).toMatchObject({ errorCode: ErrorCode.NONE, leaderId: quorum.leaderId, leaderEpoch: quorum.leaderEpoch });
      expect(partition.currentVoters.map((v) => v.replicaId).sort()).toEqual([1, 2, 3]);
      expect(partition.observers.map((o) => o.replicaId)).toEqual([4]);
      // v0 has no timestamps: the decoder gives the schema default.
      if (version === 0) expect(partition.currentVoters.every((v) => v.lastFetchTimestamp === -1)).toBe(true);
      else expect(partition.currentVoters.every((v) => v.lastFetchTimestamp > 0)).toBe(true);
    }
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for anything but __cluster_metadata partition 0', async () => {
    const response = await broker.request(DescribeQuorum, 1, {
      topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 1 }] }],
    });
    expect(response.topics[0]!.partitions[0]).toMatchObject({ partitionIndex: 1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
  });

  it('rill cluster quorum prints the same, as a table and as JSON', async () => {
    const quorum = await settled();
    const brokers = cluster.bootstrap.join(',');
    const text = await runCli(['cluster', 'quorum'], { brokers });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`LEADER: ${quorum.leaderId}\tEPOCH: ${quorum.leaderEpoch}`);
    expect(text.stdout).toMatch(/VOTERS: \[\d,\d,\d\]\tOBSERVERS: \[4\]/);
    expect(text.stdout).toMatch(/NODE\s+ROLE\s+LOG-END-OFFSET\s+LAG\s+LAST-FETCH\s+LAST-CAUGHT-UP/);
    expect(text.stdout).toMatch(/^4\s+observer\s+\d+\s+\d+\s+\d+ ms ago/m);
    const json = await runCli(['cluster', 'quorum', '--format', 'json'], { brokers });
    expect(JSON.parse(json.stdout)).toMatchObject({ leaderId: quorum.leaderId, observers: [{ nodeId: 4, role: 'observer' }] });
  });

  it('is answered by the new leader after the active controller is killed', async () => {
    const before = await settled();
    await cluster.node(before.leaderId).kill();
    const after = await waitFor(async () => {
      const quorum = await admin.describeQuorum().catch(() => null);
      return quorum !== null && quorum.leaderId !== before.leaderId ? quorum : null;
    }, { timeoutMs: 20_000, description: 'a new quorum leader' });
    expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    const dead = after.voters.find((v) => v.nodeId === before.leaderId)!;
    expect(dead).toMatchObject({ role: 'follower', lastFetchTimestamp: null });
    expect(after.highWatermark).toBeGreaterThanOrEqual(before.highWatermark);
  });
});
