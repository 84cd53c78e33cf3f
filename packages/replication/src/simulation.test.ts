/**
 * The deterministic replication simulation (DESIGN §4, reliability plan §3.2 layer 1):
 * 3–5 replicas driven as a broker drives them, a controller model, producers, a lossy
 * network (drops, duplicates, reordering, symmetric and one-way partitions, swizzle-clog),
 * crashes with occasional torn tails, pauses past the session timeout (zombie leaders) and
 * leadership moves. I1, I4 and I6 are checked after every event; then everything heals and
 * the ISR must be whole and an acks=all write acknowledged within a bound. A failure prints
 * SEED=n and the command that replays exactly that seed, with a trace of its last events.
 * simulation-b.test.ts runs another range, so the two run in parallel.
 */
import { simulationSuite } from './testing/simulation-suite.js';

simulationSuite({
  title: 'replication simulation',
  first: 0,
  count: 1_250,
  testFile: 'packages/replication/src/simulation.test.ts',
});
