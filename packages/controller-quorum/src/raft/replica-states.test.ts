/**
 * What the leader reports for DescribeQuorum (KIP-595, KIP-836): each voter's and observer's
 * proven log end, when it last fetched and when it last held everything the leader held.
 */
import { describe, expect, it } from 'vitest';
import { observersTrackedMax } from './limits.js';
import type { FetchRequest } from './messages.js';
import { ScriptedCluster } from './testing/scripted-cluster.js';

/** Voters 1-3 and observer 4; node 1 leads epoch 1 with [leader change, a, b] committed. */
function ledCluster(): ScriptedCluster {
  const cluster = new ScriptedCluster([1, 2, 3], [4]);
  cluster.tick(1, 10);
  cluster.deliver();
  cluster.propose(1, 'a', 'b');
  for (let round = 0; round < 2; round++) {
    for (const id of [2, 3, 4]) cluster.tick(id);
    cluster.deliver();
  }
  expect(cluster.core(1).highWatermark).toBe(3);
  return cluster;
}

function fetchFrom(from: number, fetchOffset: number): FetchRequest {
  return {
    kind: 'FetchRequest',
    from,
    to: 1,
    correlationId: 7,
    epoch: 1,
    fetchOffset,
    lastFetchedEpoch: fetchOffset === 0 ? 0 : 1,
    highWatermark: 0,
    maxBytes: 1000,
  };
}

describe('replicaStates', () => {
  it('reports voters and observers on the leader, and nothing elsewhere', () => {
    const cluster = ledCluster();
    const leader = cluster.core(1);
    const states = leader.replicaStates()!;
    expect(states.voters.map((v) => [v.nodeId, v.logEndOffset])).toEqual([
      [2, 3],
      [3, 3],
    ]);
    expect(states.observers.map((o) => [o.nodeId, o.logEndOffset])).toEqual([[4, 3]]);
    for (const replica of [...states.voters, ...states.observers]) {
      expect(replica.lastFetchTick).not.toBeNull();
      expect(replica.lastCaughtUpTick).toBe(replica.lastFetchTick);
    }
    expect(cluster.core(2).replicaStates()).toBeNull();
    expect(cluster.core(4).replicaStates()).toBeNull();
  });

  it('dates catching up to the earlier fetch whose log end a later fetch reached (KIP-836)', () => {
    const cluster = ledCluster();
    const leader = cluster.core(1);
    const observer = () => leader.replicaStates()!.observers.find((o) => o.nodeId === 9);
    leader.receive(fetchFrom(9, 0));
    const first = leader.now;
    expect(observer()).toEqual({ nodeId: 9, logEndOffset: 0, lastFetchTick: first, lastCaughtUpTick: null });
    leader.tick();
    cluster.propose(1, 'c');
    leader.receive(fetchFrom(9, 3)); // reaches the leader's end at its first fetch, not today's (4)
    expect(observer()).toEqual({ nodeId: 9, logEndOffset: 3, lastFetchTick: first + 1, lastCaughtUpTick: first });
    leader.tick();
    leader.receive(fetchFrom(9, 4));
    expect(observer()).toMatchObject({ logEndOffset: 4, lastCaughtUpTick: first + 2 });
  });

  it('never reports a voter as an observer, and a fresh leader knows nobody yet', () => {
    const cluster = ledCluster();
    const leader = cluster.core(1);
    leader.receive(fetchFrom(1, 3));
    expect(leader.replicaStates()!.observers.map((o) => o.nodeId)).toEqual([4]);
    const fresh = new ScriptedCluster([1, 2, 3]);
    fresh.tick(1, 10);
    fresh.deliverUntil(() => fresh.core(1).role === 'leader');
    expect(fresh.core(1).replicaStates()!.voters).toEqual([
      { nodeId: 2, logEndOffset: -1, lastFetchTick: null, lastCaughtUpTick: null },
      { nodeId: 3, logEndOffset: -1, lastFetchTick: null, lastCaughtUpTick: null },
    ]);
  });

  it(`tracks at most ${observersTrackedMax} observers, forgetting the one silent longest`, () => {
    const cluster = ledCluster();
    const leader = cluster.core(1);
    for (let id = 100; id < 100 + observersTrackedMax + 5; id++) {
      leader.receive(fetchFrom(id, 3)); // same tick: ties go to the one tracked first
    }
    leader.drain();
    const ids = leader.replicaStates()!.observers.map((o) => o.nodeId);
    expect(ids).toHaveLength(observersTrackedMax);
    expect(ids).not.toContain(4);
    expect(ids).not.toContain(100);
    expect(ids).toContain(100 + observersTrackedMax + 4);
  });
});
