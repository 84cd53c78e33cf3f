import { describe, expect, it } from 'vitest';
import { ScriptedCluster, touching, not } from './testing/scripted-cluster.js';

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
});
