import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { credentials, makeGenericClientConstructor, status, type ServiceError } from '@grpc/grpc-js';
import { SeededRandom } from '@rill/base';
import { QuorumNode } from '@rill/controller-quorum';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@rill/testkit';

const identity = (buffer: Buffer): Buffer => buffer;

/** A client for Quorum/Deliver that sends whatever bytes we give it as the request. */
const RawQuorumClient = makeGenericClientConstructor(
  {
    deliver: {
      path: '/rill.quorum.Quorum/Deliver',
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  },
  'Quorum',
);

function deliverRaw(address: string, bytes: Buffer): Promise<ServiceError | null> {
  const client = new RawQuorumClient(address, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest('/rill.quorum.Quorum/Deliver', identity, identity, bytes, { deadline: Date.now() + 5000 }, (error) => {
      client.close();
      resolve(error);
    });
  });
}

/** Sends bytes on a raw connection; true if the server closes it within five seconds. */
function closedAfter(port: number, bytes: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 5000);
    socket.on('error', () => undefined);
    // Read (and drop) what the server sends, or its end of the stream is never seen.
    socket.resume();
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.write(bytes);
  });
}

function gauge(metrics: string, name: string): number {
  return Number(new RegExp(`^${name} (-?\\d+)$`, 'm').exec(metrics)?.[1]);
}

describe('garbage on the internal gRPC listener', () => {
  let server: ServerProcess;
  let address: string;

  beforeAll(async () => {
    server = await ServerProcess.start();
    address = `127.0.0.1:${server.internalPort}`;
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('closes a connection that speaks HTTP/1.1, TLS or random bytes instead of HTTP/2', async () => {
    const payloads = [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
      Buffer.from('abcdef0123'.repeat(50)),
    ];
    for (const bytes of payloads) expect(await closedAfter(server.internalPort, bytes)).toBe(true);
    expect(await server.ready()).toBe(true);
  });

  it('answers undecodable protobuf with an error status and keeps its quorum state', async () => {
    const before = await server.metrics();
    const random = new SeededRandom(11);
    for (let i = 0; i < 50; i++) {
      const bytes = Buffer.from(Array.from({ length: random.between(1, 200) }, () => random.between(0, 255)));
      const error = await deliverRaw(address, bytes);
      if (error !== null) expect([status.INTERNAL, status.PERMISSION_DENIED, status.INVALID_ARGUMENT]).toContain(error.code);
    }
    const after = await server.metrics();
    expect(gauge(after, 'rill_raft_epoch')).toBe(gauge(before, 'rill_raft_epoch'));
    expect(gauge(after, 'rill_raft_leader_id')).toBe(1);
    expect(await server.ready()).toBe(true);
  });

  it('ignores a vote request for an absurd epoch from a node that is not a voter, and a foreign cluster id', async () => {
    const deliver = QuorumNode.service['Deliver']!;
    const clusterId = /^cluster\.id=(.+)$/m.exec(readFileSync(join(server.dataDir, 'meta.properties'), 'utf8'))![1]!;
    const vote = (id: string, from: number) =>
      deliver.requestSerialize({ clusterId: id, from, to: 1, voteRequest: { epoch: 0x7fffffff, preVote: false, lastEpoch: 0x7fffffff, logEndOffset: 1e12 } });
    expect((await deliverRaw(address, vote('not-our-cluster', 2)))?.code).toBe(status.PERMISSION_DENIED);
    expect(await deliverRaw(address, vote(clusterId, 99))).toBeNull();
    const metrics = await server.metrics();
    expect(gauge(metrics, 'rill_raft_epoch')).toBeLessThan(10);
    expect(gauge(metrics, 'rill_raft_leader_id')).toBe(1);
  });
});
