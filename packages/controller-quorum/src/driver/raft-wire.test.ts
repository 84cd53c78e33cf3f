import { describe, expect, it } from 'vitest';
import type { RaftMessage } from '../raft/messages.js';
import { quorumService } from './quorum-transport.js';
import { fromWire, toWire, type WireEnvelope } from './raft-wire.js';

const deliver = quorumService['Deliver']!;

/** Through real protobuf bytes, as a peer would send them. */
function overProtobuf(envelope: WireEnvelope): WireEnvelope {
  return deliver.requestDeserialize(deliver.requestSerialize(envelope)) as WireEnvelope;
}

const header = { from: 1, to: 2 };
const responseFields = { error: 'NONE' as const, epoch: 4, leaderId: 3 };

const samples: RaftMessage[] = [
  { kind: 'VoteRequest', ...header, epoch: 5, preVote: true, lastEpoch: 4, logEndOffset: 17 },
  { kind: 'VoteResponse', ...header, ...responseFields, preVote: false, voteGranted: true },
  { kind: 'BeginQuorumEpochRequest', ...header, epoch: 5, leaderId: 1 },
  { kind: 'BeginQuorumEpochResponse', ...header, ...responseFields, leaderId: null },
  { kind: 'EndQuorumEpochRequest', ...header, epoch: 5, leaderId: 1, preferredSuccessors: [3, 2] },
  { kind: 'EndQuorumEpochResponse', ...header, ...responseFields },
  { kind: 'FetchRequest', ...header, correlationId: 9, epoch: 4, fetchOffset: 12, lastFetchedEpoch: 3, highWatermark: 10, maxBytes: 1024 },
  {
    kind: 'FetchResponse', ...header, ...responseFields, correlationId: 9, highWatermark: 10,
    entries: [{ offset: 12, epoch: 4, payload: Buffer.from('x') }], divergingEpoch: null, snapshotId: null,
  },
  {
    kind: 'FetchResponse', ...header, ...responseFields, correlationId: 10, highWatermark: 10, entries: [],
    divergingEpoch: { epoch: 3, endOffset: 8 }, snapshotId: { lastOffset: 5, lastEpoch: 2 },
  },
  { kind: 'FetchSnapshotRequest', ...header, correlationId: 11, epoch: 4, snapshotId: { lastOffset: 5, lastEpoch: 2 }, position: 0, maxBytes: 4096 },
  {
    kind: 'FetchSnapshotResponse', ...header, ...responseFields, correlationId: 11, snapshotId: { lastOffset: 5, lastEpoch: 2 },
    size: 3, position: 0, chunk: Buffer.from('abc'),
  },
];

describe('raft messages on the wire', () => {
  it.each(samples.map((m) => [m.kind, m] as const))('%s survives protobuf encoding unchanged', (_, message) => {
    const received = overProtobuf(toWire(message, 'cluster-a'));
    expect(received.clusterId).toBe('cluster-a');
    expect(fromWire(received)).toEqual(message);
  });

  it('yields nothing for an envelope without a known body', () => {
    expect(fromWire({ clusterId: 'c', from: 1, to: 2 })).toBeNull();
    expect(fromWire({ clusterId: 'c', from: 1, to: 2, body: 'mystery' })).toBeNull();
  });
});
