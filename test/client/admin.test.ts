import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@rill/testkit';
import { Admin, ConnectionError, KafkaError } from '@rill/client';
import { freePort } from '@rill/testkit';

describe('Admin against one rill-server', () => {
  let server: ServerProcess;
  let admin: Admin;

  beforeAll(async () => {
    server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
    admin = new Admin({ brokers: [server.bootstrap], clientId: 'admin-test' });
  });

  afterAll(async () => {
    await admin?.close();
    await server?.destroy();
  });

  it('creates, lists, describes and deletes topics', async () => {
    await admin.createTopics([{ name: 'a-one', partitions: 3 }, { name: 'a-two' }]);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['a-one', 'a-two']));
    const [one] = await admin.describeTopics(['a-one']);
    expect(one!.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(
      one!.partitions.every((p) => p.leader === server.nodeId && p.isr.includes(server.nodeId)),
    ).toBe(true);
    await admin.deleteTopics(['a-one', 'a-two']);
    expect(await admin.listTopics()).not.toContain('a-one');
  });

  it('reports a duplicate topic as TOPIC_ALREADY_EXISTS, unless ifNotExists', async () => {
    await admin.createTopics([{ name: 'a-dup', partitions: 1 }]);
    const failure = await admin
      .createTopics([{ name: 'a-dup', partitions: 1 }])
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KafkaError);
    expect((failure as KafkaError).name).toBe('TOPIC_ALREADY_EXISTS');
    expect((failure as KafkaError).retriable).toBe(false);
    await expect(
      admin.createTopics([{ name: 'a-dup', partitions: 1 }], { ifNotExists: true }),
    ).resolves.toBeUndefined();
  });

  it('describes an unknown topic as UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const failure = await admin.describeTopics(['a-missing']).catch((e: unknown) => e);
    expect((failure as KafkaError).code).toBe(3);
  });

  it('lists earliest and latest offsets of an empty topic', async () => {
    await admin.createTopics([{ name: 'a-offsets', partitions: 2 }]);
    expect(await admin.listOffsets('a-offsets', 'earliest')).toEqual([
      { partition: 0, offset: 0 },
      { partition: 1, offset: 0 },
    ]);
    expect(await admin.listOffsets('a-offsets', 'latest')).toEqual([
      { partition: 0, offset: 0 },
      { partition: 1, offset: 0 },
    ]);
  });

  it('describes the cluster: one broker that is also the controller', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toEqual([
      expect.objectContaining({ nodeId: server.nodeId, port: server.kafkaPort }),
    ]);
    expect(cluster.controllerId).toBe(server.nodeId);
  });

  it('names the address it tried when no broker answers', async () => {
    const port = await freePort();
    const lonely = new Admin({ brokers: [`127.0.0.1:${port}`], retry: { retries: 0 } });
    const failure = await lonely.listTopics().catch((e: unknown) => e);
    await lonely.close();
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as Error).message).toContain(`127.0.0.1:${port}`);
    expect((failure as ConnectionError).retriable).toBe(true);
  });
});
