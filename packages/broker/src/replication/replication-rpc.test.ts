import { status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { InternalServer } from '../internal/internal-server.js';
import {
  replicationClient,
  replicationService,
  replicationServiceImplementation,
  type ReplicaFetchRequest,
  type ReplicaFetchResponse,
  type ReplicationApi,
} from './replication-rpc.js';

const ref = { topic: 't', topicId: 'id', partition: 0 };

function request(fetchOffset: number, clusterId = 'c'): ReplicaFetchRequest {
  return {
    clusterId, replicaId: 2, incarnationId: 'i', maxWaitMs: 500, minBytes: 1, maxBytes: 1 << 20, partitionMaxBytes: 1 << 20,
    partitions: [{ ref, currentLeaderEpoch: 1, fetchOffset }],
  };
}

function answer(fetchOffset: number): ReplicaFetchResponse {
  return {
    partitions: [{ ref, errorCode: 0, highWatermark: fetchOffset, logStartOffset: 0, logEndOffset: fetchOffset + 1, records: Buffer.from([fetchOffset]) }],
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A leader whose fetch answers as `serve` says, and a follower's client to it. */
async function leaderAndClient(serve: (r: ReplicaFetchRequest) => Promise<ReplicaFetchResponse>, options: { withoutStream?: boolean } = {}): Promise<{ client: ReplicationApi; served: ReplicaFetchRequest[] }> {
  const served: ReplicaFetchRequest[] = [];
  const implementation: UntypedServiceImplementation = replicationServiceImplementation({
    clusterId: 'c',
    fetch: (r) => {
      served.push(r);
      return serve(r);
    },
    offsetForLeaderEpoch: () => ({ partitions: [] }),
  });
  // A leader of an older version: no FetchStream.
  if (options.withoutStream === true) delete implementation['fetchStream'];
  const server = new InternalServer({ host: '127.0.0.1', port: 0 }, pino({ level: 'silent' }));
  server.addService(replicationService, implementation);
  await server.listen();
  const client = replicationClient(`127.0.0.1:${server.port}`);
  cleanups.push(() => server.close(), () => client.close());
  return { client, served };
}

describe('replica fetches over FetchStream', () => {
  it('answers fetches one after another on one stream', async () => {
    const { client, served } = await leaderAndClient(async (r) => answer(r.partitions[0]!.fetchOffset));
    for (let offset = 0; offset < 5; offset++) {
      const response = await client.fetch(request(offset), 5000);
      expect(response.partitions[0]!.highWatermark).toBe(offset);
      expect(Buffer.from(response.partitions[0]!.records)).toEqual(Buffer.from([offset]));
    }
    expect(served.map((r) => r.partitions[0]!.fetchOffset)).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses another cluster with PERMISSION_DENIED, and the next fetch opens a new stream', async () => {
    const { client } = await leaderAndClient(async (r) => answer(r.partitions[0]!.fetchOffset));
    await expect(client.fetch(request(0, 'other'), 5000)).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    await expect(client.fetch(request(1), 5000)).resolves.toMatchObject({ partitions: [{ highWatermark: 1 }] });
  });

  it('gives up on an unanswered fetch after its timeout and fetches again on a new stream', async () => {
    let hang = true;
    const { client } = await leaderAndClient((r) => (hang ? new Promise(() => undefined) : Promise.resolve(answer(r.partitions[0]!.fetchOffset))));
    await expect(client.fetch(request(0), 200)).rejects.toThrow(/not answered in 200 ms/);
    hang = false;
    await expect(client.fetch(request(1), 5000)).resolves.toMatchObject({ partitions: [{ highWatermark: 1 }] });
  });

  it('falls back to unary Fetch against a leader without FetchStream', async () => {
    const { client, served } = await leaderAndClient(async (r) => answer(r.partitions[0]!.fetchOffset), { withoutStream: true });
    await expect(client.fetch(request(7), 5000)).resolves.toMatchObject({ partitions: [{ highWatermark: 7 }] });
    await expect(client.fetch(request(8), 5000)).resolves.toMatchObject({ partitions: [{ highWatermark: 8 }] });
    expect(served).toHaveLength(2);
  });
});
