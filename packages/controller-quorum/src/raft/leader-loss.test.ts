import { SeededRandom } from '@rill/base';
import { describe, expect, it } from 'vitest';
import { ScriptedCluster, not, touching } from './testing/scripted-cluster.js';

describe('losing the leader for good (KIP-996 with a dead leader)', () => {
  it('the other voters elect a new leader instead of pulling each other back to the dead one', () => {
    const cluster = new ScriptedCluster([1, 2, 3]);
    cluster.tick(1, 10);
    cluster.deliver();
    expect(cluster.core(1).role).toBe('leader');
    cluster.crash(1);
    // Real election timers are random; here node 2's simply runs a little ahead of node 3's.
    cluster.tick(2, 5);
    // Both followers time out, canvass, and answer each other naming the dead leader: that
    // hearsay must not send them back to following it.
    for (let tick = 0; tick < 400 && ![2, 3].some((id) => cluster.core(id).role === 'leader'); tick++) {
      cluster.tick(2);
      cluster.tick(3);
      cluster.deliver(not(touching(1)));
      cluster.drop(touching(1));
    }
    const leaders = [2, 3].filter((id) => cluster.core(id).role === 'leader');
    expect(leaders).toHaveLength(1);
    expect(cluster.core(leaders[0]!).epoch).toBeGreaterThan(1);
  });

  // The simulation's liveness phase restarts every crashed node, so it never saw a quorum
  // that must go on without its old leader. Here the survivors' clocks are offset by a
  // random head start and then tick in step, as real processes do: the shape in which the
  // bug above kept them pulling each other back for ever.
  it.each([3, 5])('with %i voters, the survivors elect a new leader within a bound, for 300 seeds', (voterCount) => {
    const voters = Array.from({ length: voterCount }, (_, i) => i + 1);
    for (let seed = 1; seed <= 300; seed++) {
      const random = new SeededRandom(seed * 1000 + voterCount);
      const cluster = new ScriptedCluster(voters, [], { random });
      const leaderOf = (ids: readonly number[]) => ids.find((id) => cluster.core(id).role === 'leader');
      for (let tick = 0; tick < 200 && leaderOf(voters) === undefined; tick++) {
        for (const id of voters) cluster.tick(id);
        cluster.deliver();
      }
      const old = leaderOf(voters);
      expect(old, `SEED=${seed}: no first leader`).toBeDefined();
      cluster.crash(old!);
      const survivors = voters.filter((id) => id !== old);
      for (const id of survivors) cluster.tick(id, random.between(0, 30));
      let rounds = 0;
      for (; rounds < 1000 && leaderOf(survivors) === undefined; rounds++) {
        for (const id of survivors) cluster.tick(id);
        cluster.deliver(not(touching(old!)));
        cluster.drop(touching(old!));
      }
      expect(leaderOf(survivors), `SEED=${seed}: no leader ${rounds} rounds after ${old} died`).toBeDefined();
    }
  });
});
