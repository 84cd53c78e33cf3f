import {
  ApiVersions,
  DeleteGroups,
  ErrorCode,
  FindCoordinator,
  JoinGroup,
  OffsetCommit,
  OffsetFetch,
  SyncGroup,
  CreateTopics,
  encodeRequest,
  type JoinGroupRequestInput,
} from '@rill/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, waitFor } from '@rill/testkit';
import { RawKafkaClient } from '../support/raw-kafka-client.js';

const maxMessageBytes = 64 * 1024;

function join(groupId: string, overrides: Partial<JoinGroupRequestInput> = {}): JoinGroupRequestInput {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('subscription') }],
    ...overrides,
  };
}

/**
 * Bad group requests get the error code Kafka sends, or a closed connection, and the node
 * carries on (DESIGN §8, I14).
 */
describe('bad group requests', () => {
  let server: ServerProcess;
  let client: RawKafkaClient;

  beforeAll(async () => {
    server = await ServerProcess.start({
      properties: {
        'auto.create.topics.enable': false,
        'message.max.bytes': maxMessageBytes,
        'group.max.size': 3,
        'group.initial.rebalance.delay.ms': 50,
        'offsets.topic.num.partitions': 4,
      },
      nodeArgs: ['--max-old-space-size=256'],
    });
    client = await RawKafkaClient.connect(server.kafkaPort);
    const created = await client.request(CreateTopics, 4, {
      topics: [{ name: 'events', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await client.request(FindCoordinator, 2, { key: 'g', keyType: 0 })).errorCode).toBe(ErrorCode.NONE);
    await waitFor(async () => (await client.request(OffsetFetch, 2, { groupId: 'g', topics: null })).errorCode === ErrorCode.NONE, {
      timeoutMs: 10_000,
      description: 'the coordinator to load its partitions',
    });
  });

  afterAll(async () => {
    client?.close();
    await server?.destroy();
  });

  /** A member alone in `groupId`: joined, synced with `assignment`. */
  async function soleMember(groupId: string): Promise<{ memberId: string; generationId: number }> {
    const joined = await client.request(JoinGroup, 2, join(groupId));
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    const synced = await client.request(SyncGroup, 1, {
      groupId, generationId: joined.generationId, memberId: joined.memberId,
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from('mine') }],
    });
    expect(synced).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(synced.assignment.toString()).toBe('mine');
    return { memberId: joined.memberId, generationId: joined.generationId };
  }

  it('JoinGroup: empty group id, bad session timeout, no protocol type, too many protocols', async () => {
    expect((await client.request(JoinGroup, 2, join(''))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await client.request(JoinGroup, 2, join('g', { sessionTimeoutMs: 1 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await client.request(JoinGroup, 2, join('g', { protocolType: '' }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await client.request(JoinGroup, 2, join('g', { protocols: [] }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const many = Array.from({ length: 65 }, (_, i) => ({ name: `p${i}`, metadata: Buffer.alloc(1) }));
    expect((await client.request(JoinGroup, 2, join('g', { protocols: many }))).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    const v4 = await client.request(JoinGroup, 4, join('g'));
    expect(v4.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(v4.memberId).toMatch(/^rill-test-/);
  });

  it('JoinGroup: another protocol type, or no protocol in common, is INCONSISTENT_GROUP_PROTOCOL', async () => {
    await soleMember('mixed');
    expect((await client.request(JoinGroup, 2, join('mixed', { protocolType: 'connect' }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const other = [{ name: 'roundrobin', metadata: Buffer.alloc(0) }];
    expect((await client.request(JoinGroup, 2, join('mixed', { protocols: other }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('JoinGroup beyond group.max.size gets GROUP_MAX_SIZE_REACHED', async () => {
    const connections = await Promise.all(Array.from({ length: 4 }, () => RawKafkaClient.connect(server.kafkaPort)));
    const answers = await Promise.all(connections.map((c) => c.request(JoinGroup, 2, join('crowded'))));
    for (const c of connections) c.close();
    expect(answers.map((a) => a.errorCode).sort()).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE, ErrorCode.GROUP_MAX_SIZE_REACHED].sort());
  });

  it('SyncGroup: a stale generation, a stranger, and an assignment too large to store', async () => {
    const { memberId, generationId } = await soleMember('sync');
    const sync = (body: { generationId: number; memberId: string; assignment: Buffer }): Promise<number> =>
      client
        .request(SyncGroup, 2, { groupId: 'sync', generationId: body.generationId, memberId: body.memberId, assignments: [{ memberId: body.memberId, assignment: body.assignment }] })
        .then((r) => r.errorCode);
    expect(await sync({ generationId: generationId + 5, memberId, assignment: Buffer.alloc(0) })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await sync({ generationId, memberId: 'stranger', assignment: Buffer.alloc(0) })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const rejoined = await client.request(JoinGroup, 2, join('sync', { memberId }));
    expect(rejoined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: generationId + 1 });
    // Kafka fails the group record with MESSAGE_TOO_LARGE and answers UNKNOWN_SERVER_ERROR.
    const huge = Buffer.alloc(4 * maxMessageBytes, 7);
    expect(await sync({ generationId: generationId + 1, memberId, assignment: huge })).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    const again = await client.request(JoinGroup, 2, join('sync', { memberId }));
    expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: generationId + 2 });
    expect(await sync({ generationId: generationId + 2, memberId, assignment: Buffer.from('fits') })).toBe(ErrorCode.NONE);
  });

  it('OffsetCommit: unknown topic, metadata too large, and a stale generation (I8)', async () => {
    const { memberId, generationId } = await soleMember('commits');
    const commit = (generation: number, name: string, metadata: string | null): Promise<number> =>
      client
        .request(OffsetCommit, 5, {
          groupId: 'commits', generationId: generation, memberId,
          topics: [{ name, partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: metadata }] }],
        })
        .then((r) => r.topics[0]!.partitions[0]!.errorCode);
    expect(await commit(generationId, 'no-such-topic', null)).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await commit(generationId, 'events', 'm'.repeat(4097))).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
    expect(await commit(generationId, 'events', 'ok')).toBe(ErrorCode.NONE);
    expect(await commit(generationId - 1, 'events', null)).toBe(ErrorCode.ILLEGAL_GENERATION);
    const fetched = await client.request(OffsetFetch, 5, { groupId: 'commits', topics: [{ name: 'events', partitionIndexes: [0] }] });
    expect(fetched.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 5, metadata: 'ok', errorCode: ErrorCode.NONE });
  });

  it('FindCoordinator for transactions or an unknown key type, DeleteGroups of busy and unknown groups', async () => {
    expect((await client.request(FindCoordinator, 1, { key: 'txn', keyType: 1 })).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect((await client.request(FindCoordinator, 1, { key: 'x', keyType: 9 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    await soleMember('busy');
    const deleted = await client.request(DeleteGroups, 1, { groupsNames: ['busy', 'never-existed'] });
    expect(deleted.results).toEqual([
      { groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'never-existed', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
  });

  it('closes the connection on JoinGroup v5 (not advertised) and on an impossible array count', async () => {
    const v5 = await RawKafkaClient.connect(server.kafkaPort);
    v5.writeRaw(frame(encodeRequest(JoinGroup.apiKey, 4, { correlationId: 1, clientId: 'x' }, join('g') as never), 5));
    expect(await v5.waitClosed()).toBe(true);
    const bomb = await RawKafkaClient.connect(server.kafkaPort);
    const good = encodeRequest(JoinGroup.apiKey, 2, { correlationId: 1, clientId: 'x' }, join('g', { protocols: [] }) as never);
    // The protocols count is the body's last int32: claim 2^31-1 entries in a short frame.
    good.writeInt32BE(0x7fffffff, good.length - 4);
    bomb.writeRaw(good);
    expect(await bomb.waitClosed()).toBe(true);
    const alive = await client.request(ApiVersions, 2, {});
    expect(alive.errorCode).toBe(ErrorCode.NONE);
    expect(await server.ready()).toBe(true);
  });
});

/** Rewrites the api version of an encoded request frame (size prefix included). */
function frame(encoded: Buffer, version: number): Buffer {
  const copy = Buffer.from(encoded);
  copy.writeInt16BE(version, 6);
  return copy;
}
