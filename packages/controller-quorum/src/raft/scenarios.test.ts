/**
 * Scenario tests with golden transcripts for the tricky paths. Each script drives a
 * ScriptedCluster by hand and compares every step's effects with a file in __transcripts__
 * (`npx vitest run -u` rewrites them after a deliberate change; read the diff). Each names
 * the Raft paper section or KIP it checks.
 */
import { describe, expect, it } from 'vitest';
import { ScriptedCluster, between, not, touching } from './testing/scripted-cluster.js';

/** Node `id` times out first, wins, and every node catches up. */
function elect(cluster: ScriptedCluster, id: number): void {
  cluster.note(`node ${id} times out first and wins the election`);
  cluster.tick(id, 10);
  cluster.deliver();
  cluster.state();
}

describe('raft scenarios', () => {
  it('KIP-996: a follower that hears its leader refuses a pre-vote, and the leader stays', async () => {
    const cluster = new ScriptedCluster([1, 2, 3]);
    elect(cluster, 1);
    cluster.note(
      'node 3 stops hearing from node 1 (one-way loss 1->3); 2 keeps fetching, its fetches held by 1 up to the max wait',
    );
    for (let i = 0; i < 20; i++) {
      cluster.tick(1);
      cluster.tick(2);
      cluster.deliver(between(1, 2));
      cluster.tick(3);
      cluster.drop((m) => m.from === 1 && m.to === 3);
      cluster.deliverOnce((m) => m.from === 3 && m.to === 1);
      cluster.drop((m) => m.from === 1 && m.to === 3);
    }
    cluster.note('node 3 fetch-timed out and canvasses: both refuse, no epoch moves');
    cluster.deliver(not((m) => m.from === 1 && m.to === 3));
    cluster.drop();
    cluster.state();
    await expect(cluster.transcript()).toMatchFileSnapshot(
      './__transcripts__/pre-vote-refused.txt',
    );
    expect(cluster.core(1).role).toBe('leader');
    expect(cluster.core(3).epoch).toBe(cluster.core(1).epoch);
  });

  it('KIP-595 check-quorum: a leader cut off from a majority resigns within the fetch timeout', async () => {
    const cluster = new ScriptedCluster([1, 2, 3]);
    elect(cluster, 1);
    cluster.note('node 1 is partitioned from 2 and 3; it hears no Fetch for a fetch timeout');
    for (let i = 0; i < 20 && cluster.core(1).role === 'leader'; i++) {
      cluster.tick(1);
      cluster.drop(touching(1));
    }
    cluster.state();
    await expect(cluster.transcript()).toMatchFileSnapshot('./__transcripts__/check-quorum.txt');
    expect(cluster.core(1).role).not.toBe('leader');
    expect(cluster.core(1).propose([Buffer.from('late')]).ok).toBe(false);
  });

  it('KIP-595 divergingEpoch: a deposed leader truncates its uncommitted tail and refetches', async () => {
    const cluster = new ScriptedCluster([1, 2, 3]);
    elect(cluster, 1);
    cluster.note('leader 1 appends two entries nobody fetches, then is cut off');
    cluster.propose(1, 'lost-a', 'lost-b');
    cluster.note(
      'nodes 3 then 2 stop hearing 1 and time out; 2 wins epoch 2 without those entries',
    );
    cluster.tick(3, 20);
    cluster.drop();
    cluster.tick(2, 20);
    cluster.drop(touching(1));
    cluster.deliver(not(touching(1)));
    cluster.drop(touching(1));
    cluster.note('node 2 commits an entry of its own');
    cluster.propose(2, 'kept');
    cluster.tick(3, 1);
    cluster.deliver(not(touching(1)));
    cluster.state();
    cluster.note(
      'node 1 learns of epoch 2, fetches with its old tail and is told where it diverges',
    );
    cluster.drop();
    cluster.tick(2, 10);
    cluster.deliver();
    cluster.tick(1, 2);
    cluster.deliver();
    cluster.state();
    await expect(cluster.transcript()).toMatchFileSnapshot('./__transcripts__/diverging-epoch.txt');
    expect(cluster.core(1).logEndOffset).toBe(cluster.core(2).logEndOffset);
    expect(cluster.core(1).entryAt(1)?.payload.toString()).toBe('');
  });

  it('Raft §5.4.2 (figure 8): a new leader does not commit an old-epoch entry until its own commits', async () => {
    const cluster = new ScriptedCluster([1, 2, 3], [], { maxFetchEntries: 1 });
    elect(cluster, 1);
    cluster.note('leader 1 appends "old"; node 2 fetches it, node 1 crashes before hearing back');
    cluster.propose(1, 'old');
    cluster.tick(2, 1);
    cluster.deliverUntil(() => cluster.core(2).logEndOffset === 2);
    cluster.crash(1);
    cluster.drop();
    cluster.note(
      'node 3 times out (its canvass is lost), then node 2, whose log is longer, wins epoch 2',
    );
    cluster.tick(3, 20);
    cluster.drop();
    cluster.tick(2, 20);
    const followerEnd = (id: number): number =>
      cluster
        .core(2)
        .followerStates()
        .find((f) => f.nodeId === id)?.logEndOffset ?? -1;
    cluster.deliverUntil(() => followerEnd(3) === 2);
    cluster.note(
      '"old" (epoch 1) is now on 2 of 3 voters, yet the epoch-2 leader must not commit it',
    );
    cluster.state();
    expect(cluster.core(2).role).toBe('leader');
    expect(cluster.core(2).highWatermark).toBe(1);
    cluster.note('node 3 fetches the epoch-2 leader-change entry: both commit together');
    cluster.deliver();
    cluster.state();
    expect(cluster.core(2).highWatermark).toBe(3);
    await expect(cluster.transcript()).toMatchFileSnapshot('./__transcripts__/figure-8.txt');
    expect(cluster.core(2).highWatermark).toBe(3);
  });

  it("KIP-630: a follower behind the leader's log start catches up from a snapshot in chunks", async () => {
    const cluster = new ScriptedCluster([1, 2, 3]);
    elect(cluster, 1);
    cluster.note('node 3 is down while the leader commits and snapshots');
    cluster.crash(3);
    cluster.propose(1, 'a', 'b', 'c');
    cluster.tick(2, 1);
    cluster.deliver();
    cluster.tick(2, 1);
    cluster.deliver();
    cluster.snapshot(1, 3, 'image-with-a-b-c');
    cluster.state();
    cluster.note(
      'node 3 comes back, learns the leader, and is sent a snapshot id instead of entries',
    );
    cluster.restart(3);
    cluster.tick(1, 10);
    cluster.deliver();
    cluster.state();
    await expect(cluster.transcript()).toMatchFileSnapshot(
      './__transcripts__/snapshot-catch-up.txt',
    );
    expect(cluster.core(3).logStartOffset).toBe(4);
    expect(cluster.core(3).highWatermark).toBe(4);
  });
});
