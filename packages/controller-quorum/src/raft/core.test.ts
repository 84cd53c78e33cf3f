import { describe, expect, it } from 'vitest';
import { RaftCore } from './core.js';
import { ScriptedCluster, scriptedOptions } from './testing/scripted-cluster.js';

describe('RaftCore', () => {
  it('a single voter elects itself and commits proposals at once', () => {
    const core = RaftCore.create(
      { ...scriptedOptions, nodeId: 1, voters: [1] },
      { hardState: null, snapshot: null, entries: [] },
    );
    for (let i = 0; i < scriptedOptions.electionTimeoutTicks; i++) core.tick();
    expect(core.role).toBe('leader');
    expect(core.propose([Buffer.from('x')])).toEqual({ ok: true, lastOffset: 1 });
    const effects = core.drain();
    expect(effects.hardState).toEqual({ epoch: 1, votedFor: 1 });
    expect(effects.committed.map((e) => e.payload.toString())).toEqual(['', 'x']);
  });

  it('an observer finds the leader through any voter and replicates, but never campaigns', () => {
    const cluster = new ScriptedCluster([1, 2, 3], [9]);
    cluster.tick(1, 10);
    cluster.deliver();
    cluster.propose(1, 'a');
    for (let i = 0; i < 5; i++) {
      cluster.tick(9);
      cluster.tick(2);
      cluster.tick(3);
      cluster.deliver();
    }
    expect(cluster.core(9)).toMatchObject({
      role: 'follower',
      leaderId: 1,
      highWatermark: 2,
      logEndOffset: 2,
    });
    cluster.crash(1);
    cluster.tick(9, 100);
    cluster.deliver();
    expect(['unattached', 'follower']).toContain(cluster.core(9).role);
    expect(cluster.core(9).epoch).toBe(1);
  });

  it('resigns gracefully: the preferred successor campaigns at once (EndQuorumEpoch)', () => {
    const cluster = new ScriptedCluster([1, 2, 3]);
    cluster.tick(1, 10);
    cluster.deliver();
    expect(cluster.core(1).resign()).toBe(true);
    cluster.tick(1);
    cluster.deliver((m) => m.kind === 'EndQuorumEpochRequest');
    cluster.tick(2);
    cluster.tick(3);
    cluster.deliver();
    const leaders = [1, 2, 3].filter((id) => cluster.core(id).role === 'leader');
    expect(leaders).toHaveLength(1);
    expect(cluster.core(leaders[0]!).epoch).toBe(2);
  });

  it('restarts from persisted state alone, keeping its vote', () => {
    const cluster = new ScriptedCluster([1, 2, 3]);
    cluster.tick(1, 10);
    cluster.deliver();
    cluster.crash(2);
    cluster.restart(2);
    expect(cluster.core(2)).toMatchObject({
      role: 'unattached',
      epoch: 1,
      votedFor: 1,
      logEndOffset: 1,
      highWatermark: 0,
    });
  });
});
