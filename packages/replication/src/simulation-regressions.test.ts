/**
 * Seeds of the replication simulation that found bugs, or that reach a rare path, kept as
 * regression tests (the etcd `test-robustness-issueN` habit). A seed replays the same run
 * only with the same simulator, so each also has a unit test of its own that does not
 * depend on the simulator staying the same.
 */
import { describe, expect, it } from 'vitest';
import { simulateOne } from './testing/simulate.js';

describe('replication simulation regressions', () => {
  it('seed 870: a fetch from before a restart no longer lets the restarted replica rejoin the ISR (KIP-903)', () => {
    // The leader saw replica 3 at offset 118 in a fetch sent just before 3 crashed and tore
    // its log to 117; after 3 re-registered, the leader re-added it, and 3 was elected
    // without offset 117. Fixed: fetches carry the broker epoch, proposals carry
    // newIsrWithEpochs, the controller refuses a stale incarnation.
    // Unit test: partition-leader.test.ts, "regression (simulation seed 870)".
    expect(simulateOne(870, false).coverage.reregistrations).toBeGreaterThan(0);
  });

  it('seed 8104: an epoch led without writing no longer makes a follower cut a committed record', () => {
    // Replica 2 led epoch 4 at log end 12 without writing, then appended an epoch-2 record
    // at 12 as a follower; its cache kept 4@12, and the next divergence search cut the
    // committed offset 12. Fixed in LeaderEpochCache.assign.
    // Unit tests: leader-epoch-cache.test.ts and truncation.test.ts, "seed 8104".
    expect(simulateOne(8104, false).coverage.truncations).toBeGreaterThan(0);
  });

  it.each([861, 1412])(
    'seed %i: the last ISR member tore its tail (KIP-966 last replica standing): counted as lost, not hidden',
    (seed) => {
      // The controller, cut off from the other replicas, fenced them one by one until the
      // ISR was the replica that had just lost its unflushed tail. Kafka without ELR loses
      // those records too; the checker allows it only for records a torn tail cut.
      expect(simulateOne(seed, false).coverage.lostToTornTails).toBeGreaterThan(0);
    },
  );
});
