/**
 * Bad input at the core's boundary (reliability plan §5, cases 36-40): stale or absurd
 * epochs, non-voters, fetches that do not match the log, snapshot chunks out of place and
 * malformed fields. Each is answered with an error or dropped: never a throw, never a change
 * to committed state, and never an epoch bump a non-voter or an absurd jump could cause.
 */
import { describe, expect, it } from 'vitest';
import { RaftCore } from './core.js';
import type {
  FetchRequest,
  FetchResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  RaftMessage,
  VoteRequest,
} from './messages.js';
import { ScriptedCluster, scriptedOptions } from './testing/scripted-cluster.js';
import type { Entry, RaftEffects } from './types.js';

const int32Max = 0x7fff_ffff;

/** Node 1 follows nobody at epoch 5 with entries [0@e1, 1@e3, 2@e5]. */
function restartedVoter(): RaftCore {
  const entries: Entry[] = [1, 3, 5].map((epoch, offset) => ({
    offset,
    epoch,
    payload: Buffer.from(`e${epoch}`),
  }));
  const core = RaftCore.create(
    { ...scriptedOptions, nodeId: 1, voters: [1, 2, 3] },
    { hardState: { epoch: 5, votedFor: null }, snapshot: null, entries },
  );
  core.drain();
  return core;
}

/** A 3-voter cluster where node 1 leads epoch 1 and everything up to offset 3 is committed. */
function ledCluster(): ScriptedCluster {
  const cluster = new ScriptedCluster([1, 2, 3]);
  cluster.tick(1, 10);
  cluster.deliver();
  cluster.propose(1, 'a', 'b');
  cluster.tick(2);
  cluster.tick(3);
  cluster.deliver();
  cluster.tick(2);
  cluster.tick(3);
  cluster.deliver();
  expect(cluster.core(1).highWatermark).toBe(3);
  return cluster;
}

function receive(core: RaftCore, message: RaftMessage): RaftEffects {
  core.receive(message);
  return core.drain();
}

/** Tick `core` until it sends a Fetch (a request in flight is retried after the request timeout). */
function nextFetch(core: RaftCore): FetchRequest {
  for (let i = 0; i < 30; i++) {
    core.tick();
    const request = core.drain().messages.find((m): m is FetchRequest => m.kind === 'FetchRequest');
    if (request !== undefined) return request;
  }
  throw new Error('no fetch sent');
}

function vote(overrides: Partial<VoteRequest>): VoteRequest {
  return {
    kind: 'VoteRequest',
    from: 2,
    to: 1,
    epoch: 6,
    preVote: false,
    lastEpoch: 5,
    logEndOffset: 3,
    ...overrides,
  };
}

function fetch(overrides: Partial<FetchRequest>): FetchRequest {
  return {
    kind: 'FetchRequest',
    from: 2,
    to: 1,
    correlationId: 99,
    epoch: 1,
    fetchOffset: 3,
    lastFetchedEpoch: 1,
    highWatermark: 0,
    maxBytes: 1000,
    ...overrides,
  };
}

function onlyResponse<K extends RaftMessage['kind']>(
  effects: RaftEffects,
  kind: K,
): Extract<RaftMessage, { kind: K }> {
  expect(effects.messages).toHaveLength(1);
  expect(effects.messages[0]!.kind).toBe(kind);
  return effects.messages[0] as Extract<RaftMessage, { kind: K }>;
}

describe('bad input: epochs and voters', () => {
  it('refuses a vote for a stale epoch without changing anything', () => {
    const core = restartedVoter();
    const effects = receive(core, vote({ epoch: 4, lastEpoch: 4, logEndOffset: 100 }));
    expect(onlyResponse(effects, 'VoteResponse')).toMatchObject({ voteGranted: false, epoch: 5 });
    expect(effects.hardState).toBeNull();
    expect(core.epoch).toBe(5);
  });

  it('answers a vote request from a non-voter with INCONSISTENT_VOTER_SET and no state', () => {
    const core = restartedVoter();
    const effects = receive(core, vote({ from: 9, epoch: 6, lastEpoch: 9, logEndOffset: 100 }));
    expect(onlyResponse(effects, 'VoteResponse')).toMatchObject({
      voteGranted: false,
      error: 'INCONSISTENT_VOTER_SET',
    });
    expect(effects.hardState).toBeNull();
    expect(core.epoch).toBe(5);
    expect(core.votedFor).toBeNull();
  });

  it('is not moved to epoch 2^31-1 by a non-voter, whatever the message', () => {
    const core = restartedVoter();
    for (const message of [
      vote({ from: 9, epoch: int32Max }),
      vote({ from: 9, epoch: int32Max, preVote: true }),
      fetch({ from: 9, epoch: int32Max }),
      { kind: 'BeginQuorumEpochRequest', from: 9, to: 1, epoch: int32Max, leaderId: 9 } as const,
      {
        kind: 'FetchResponse',
        from: 9,
        to: 1,
        correlationId: 0,
        error: 'NONE',
        epoch: int32Max,
        leaderId: 9,
        highWatermark: 3,
        entries: [],
        divergingEpoch: null,
        snapshotId: null,
      } as const,
    ]) {
      expect(receive(core, message).hardState).toBeNull();
      expect(core.epoch).toBe(5);
    }
  });

  it('gives no vote and no absurd epoch to a voter with a shorter log asking for 2^31-1', () => {
    const core = restartedVoter();
    const effects = receive(core, vote({ epoch: int32Max, lastEpoch: 3, logEndOffset: 2 }));
    expect(onlyResponse(effects, 'VoteResponse')).toMatchObject({ voteGranted: false, epoch: 5 });
    expect(effects.events.map((e) => e.kind)).toContain('refused');
    expect(core.epoch).toBe(5);
  });

  it('drops a vote whose log claims an epoch above the one it campaigns for', () => {
    const core = restartedVoter();
    const effects = receive(core, vote({ epoch: 6, lastEpoch: 7, logEndOffset: 100 }));
    expect(effects.messages).toEqual([]);
    expect(effects.events.map((e) => e.kind)).toEqual(['dropped']);
    expect(core.epoch).toBe(5);
  });

  it('adopts a plausible higher epoch from a voter with a shorter log but does not vote for it (Raft §5.4.1)', () => {
    const core = restartedVoter();
    const effects = receive(core, vote({ epoch: 7, lastEpoch: 3, logEndOffset: 2 }));
    expect(onlyResponse(effects, 'VoteResponse')).toMatchObject({ voteGranted: false, epoch: 7 });
    expect(effects.hardState).toEqual({ epoch: 7, votedFor: null });
  });

  it('fences a Fetch from an older epoch and does not count it for check-quorum', () => {
    const cluster = ledCluster();
    const leader = cluster.core(1);
    const before = leader.followerStates().find((f) => f.nodeId === 2)!.lastFetchTick;
    leader.tick();
    cluster.drop();
    leader.drain();
    const effects = receive(leader, fetch({ epoch: 0 }));
    expect(onlyResponse(effects, 'FetchResponse')).toMatchObject({
      error: 'FENCED_LEADER_EPOCH',
      epoch: 1,
      leaderId: 1,
      entries: [],
    });
    expect(leader.followerStates().find((f) => f.nodeId === 2)!.lastFetchTick).toBe(before);
  });
});

describe('bad input: fetches that do not match the log', () => {
  it('answers a fetch past the log end with where the logs diverge', () => {
    const leader = ledCluster().core(1);
    const response = onlyResponse(
      receive(leader, fetch({ fetchOffset: 50, lastFetchedEpoch: 1 })),
      'FetchResponse',
    );
    expect(response).toMatchObject({
      error: 'NONE',
      entries: [],
      divergingEpoch: { epoch: 1, endOffset: 3 },
    });
  });

  it('drops a fetch whose last fetched epoch is above its own epoch', () => {
    const leader = ledCluster().core(1);
    const effects = receive(leader, fetch({ lastFetchedEpoch: 2 }));
    expect(effects.messages).toEqual([]);
    expect(effects.events.map((e) => e.kind)).toEqual(['dropped']);
  });

  it('drops a fetch whose high watermark is above its own log end, and holds nothing for it', () => {
    const leader = ledCluster().core(1);
    const effects = receive(leader, fetch({ from: 9, highWatermark: 4 }));
    expect(effects.messages).toEqual([]);
    expect(effects.events.map((e) => e.kind)).toEqual(['dropped']);
    for (let i = 0; i < scriptedOptions.fetchMaxWaitTicks; i++) leader.tick();
    expect(leader.drain().messages.filter((m) => m.to === 9)).toEqual([]);
  });

  it('refuses fetched entries that leave a gap or go back in epoch, and keeps its log', () => {
    const cluster = ledCluster();
    const follower = cluster.core(2);
    for (const entries of [
      [{ offset: 5, epoch: 1, payload: Buffer.from('gap') }],
      [{ offset: 3, epoch: 0, payload: Buffer.from('older epoch') }],
      [{ offset: 3, epoch: 9, payload: Buffer.from('epoch above the leader') }],
    ]) {
      const request = nextFetch(follower);
      const response: FetchResponse = {
        kind: 'FetchResponse',
        from: 1,
        to: 2,
        correlationId: request.correlationId,
        error: 'NONE',
        epoch: 1,
        leaderId: 1,
        highWatermark: 3,
        entries,
        divergingEpoch: null,
        snapshotId: null,
      };
      const effects = receive(follower, response);
      expect(effects.entriesToPersist).toEqual([]);
      expect(effects.events.map((e) => e.kind)).toEqual(['refused']);
      expect(follower.logEndOffset).toBe(3);
    }
  });

  it('refuses a divergingEpoch that would truncate committed entries', () => {
    const cluster = ledCluster();
    const follower = cluster.core(2);
    const request = nextFetch(follower);
    const response: FetchResponse = {
      kind: 'FetchResponse',
      from: 1,
      to: 2,
      correlationId: request.correlationId,
      error: 'NONE',
      epoch: 1,
      leaderId: 1,
      highWatermark: 3,
      entries: [],
      divergingEpoch: { epoch: 0, endOffset: 0 },
      snapshotId: null,
    };
    const effects = receive(follower, response);
    expect(effects.truncateFrom).toBeNull();
    expect(effects.events.map((e) => e.kind)).toEqual(['refused']);
    expect(follower.logEndOffset).toBe(3);
  });

  it('ignores a response to a request it did not send (late or duplicated)', () => {
    const follower = ledCluster().core(2);
    const response: FetchResponse = {
      kind: 'FetchResponse',
      from: 1,
      to: 2,
      correlationId: 12345,
      error: 'NONE',
      epoch: 1,
      leaderId: 1,
      highWatermark: 3,
      entries: [{ offset: 3, epoch: 1, payload: Buffer.from('x') }],
      divergingEpoch: null,
      snapshotId: null,
    };
    const effects = receive(follower, response);
    expect(effects.entriesToPersist).toEqual([]);
    expect(follower.logEndOffset).toBe(3);
  });
});

describe('bad input: snapshots', () => {
  function leaderWithSnapshot(): ScriptedCluster {
    const cluster = ledCluster();
    cluster.snapshot(1, 2, 'sixteen-bytes-ok');
    expect(cluster.core(1).logStartOffset).toBe(3);
    return cluster;
  }

  function fetchSnapshot(overrides: Partial<FetchSnapshotRequest>): FetchSnapshotRequest {
    return {
      kind: 'FetchSnapshotRequest',
      from: 2,
      to: 1,
      correlationId: 7,
      epoch: 1,
      snapshotId: { lastOffset: 2, lastEpoch: 1 },
      position: 0,
      maxBytes: 8,
      ...overrides,
    };
  }

  it('answers a position past the end with POSITION_OUT_OF_RANGE and an unknown id with SNAPSHOT_NOT_FOUND', () => {
    const leader = leaderWithSnapshot().core(1);
    expect(
      onlyResponse(receive(leader, fetchSnapshot({ position: 17 })), 'FetchSnapshotResponse'),
    ).toMatchObject({ error: 'POSITION_OUT_OF_RANGE', size: 16 });
    const unknown = fetchSnapshot({ snapshotId: { lastOffset: 1, lastEpoch: 1 } });
    expect(onlyResponse(receive(leader, unknown), 'FetchSnapshotResponse')).toMatchObject({
      error: 'SNAPSHOT_NOT_FOUND',
      chunk: Buffer.alloc(0),
    });
  });

  it('drops a negative position without reading', () => {
    const leader = leaderWithSnapshot().core(1);
    const effects = receive(leader, fetchSnapshot({ position: -1 }));
    expect(effects.messages).toEqual([]);
    expect(effects.events[0]).toMatchObject({
      kind: 'dropped',
      reason: 'FetchSnapshotRequest: bad position',
    });
  });

  it('refuses a chunk out of order or past the end, and starts the download over', () => {
    for (const bad of [{ position: 8 }, { position: 0, size: 4 }]) {
      const cluster = new ScriptedCluster([1, 2, 3]);
      cluster.tick(1, 10);
      cluster.deliver((m) => m.kind !== 'FetchRequest');
      const follower = cluster.core(2);
      const request = nextFetch(follower);
      const offer: FetchResponse = {
        kind: 'FetchResponse',
        from: 1,
        to: 2,
        correlationId: request.correlationId,
        error: 'NONE',
        epoch: 1,
        leaderId: 1,
        highWatermark: 0,
        entries: [],
        divergingEpoch: null,
        snapshotId: { lastOffset: 9, lastEpoch: 1 },
      };
      const snapshotRequest = onlyResponse(receive(follower, offer), 'FetchSnapshotRequest');
      const chunk: FetchSnapshotResponse = {
        kind: 'FetchSnapshotResponse',
        from: 1,
        to: 2,
        correlationId: snapshotRequest.correlationId,
        error: 'NONE',
        epoch: 1,
        leaderId: 1,
        snapshotId: { lastOffset: 9, lastEpoch: 1 },
        size: 16,
        chunk: Buffer.alloc(8),
        ...bad,
      };
      const effects = receive(follower, chunk);
      expect(effects.events.map((e) => e.kind)).toEqual(['refused']);
      expect(effects.snapshotToPersist).toBeNull();
      expect(follower.logStartOffset).toBe(0);
    }
  });
});

describe('bad input: malformed messages', () => {
  const valid = fetch({});
  const mutations: [string, unknown][] = [
    ['not an object', 'FetchRequest'],
    ['null', null],
    ['an array', [valid]],
    ['unknown kind', { ...valid, kind: 'AppendEntries' }],
    ['negative fetch offset', { ...valid, fetchOffset: -1 }],
    ['negative high watermark', { ...valid, highWatermark: -1 }],
    ['NaN epoch', { ...valid, epoch: Number.NaN }],
    ['fractional offset', { ...valid, fetchOffset: 1.5 }],
    ['epoch above int32', { ...valid, epoch: 2 ** 31 }],
    ['offset above 2^53', { ...valid, fetchOffset: 2 ** 60 }],
    ['string epoch', { ...valid, epoch: '1' }],
    ['missing field', { kind: 'FetchRequest', from: 2, to: 1, epoch: 1 }],
    ['negative node id', { ...valid, from: -2 }],
    [
      'payload not a Buffer',
      {
        kind: 'FetchResponse',
        from: 2,
        to: 1,
        correlationId: 0,
        error: 'NONE',
        epoch: 1,
        leaderId: 2,
        highWatermark: 0,
        entries: [{ offset: 0, epoch: 1, payload: 'x' }],
        divergingEpoch: null,
        snapshotId: null,
      },
    ],
    [
      'unknown error name',
      {
        kind: 'VoteResponse',
        from: 2,
        to: 1,
        error: 'OOPS',
        epoch: 1,
        leaderId: null,
        preVote: false,
        voteGranted: true,
      },
    ],
    [
      'too many entries',
      {
        kind: 'FetchResponse',
        from: 2,
        to: 1,
        correlationId: 0,
        error: 'NONE',
        epoch: 1,
        leaderId: 2,
        highWatermark: 0,
        entries: Array.from({ length: 5000 }, (_, i) => ({
          offset: i,
          epoch: 1,
          payload: Buffer.alloc(1),
        })),
        divergingEpoch: null,
        snapshotId: null,
      },
    ],
    ['addressed to another node', { ...valid, to: 3 }],
    ['from ourselves', { ...valid, from: 1 }],
  ];

  it.each(mutations)('drops %s without a throw or a state change', (_name, message) => {
    const core = restartedVoter();
    const before = [core.role, core.epoch, core.votedFor, core.highWatermark, core.logEndOffset];
    expect(() => core.receive(message as RaftMessage)).not.toThrow();
    const effects = core.drain();
    expect(effects.messages).toEqual([]);
    expect(effects.hardState).toBeNull();
    expect(effects.events.map((e) => e.kind)).toEqual(['dropped']);
    expect([core.role, core.epoch, core.votedFor, core.highWatermark, core.logEndOffset]).toEqual(
      before,
    );
  });

  it('refuses bad proposals and proposals to a non-leader', () => {
    const cluster = ledCluster();
    expect(cluster.core(2).propose([Buffer.from('x')])).toMatchObject({
      ok: false,
      error: 'NOT_LEADER',
      leaderId: 1,
      epoch: 1,
    });
    for (const payloads of [
      [],
      [Buffer.alloc(0)],
      ['text' as unknown as Buffer],
      Array.from({ length: 2000 }, () => Buffer.from('x')),
    ]) {
      expect(cluster.core(1).propose(payloads)).toMatchObject({
        ok: false,
        error: 'INVALID_PROPOSAL',
      });
    }
  });
});
