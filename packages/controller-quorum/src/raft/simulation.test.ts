/**
 * The deterministic simulation (DESIGN §4, reliability plan §3.2 layer 1): three voters and
 * an observer under drops, duplicates, reordering, partitions (symmetric and one-way),
 * swizzle-clog, crashes that lose unpersisted writes, and snapshots. The Raft invariants are
 * checked after every event; then everything heals and a proposal must commit on every node
 * within a bound. A failure prints SEED=n and the command that replays exactly that seed.
 * The five-voter run is in simulation-five.test.ts, so the two run in parallel.
 */
import { threeVoters } from './testing/configs.js';
import { simulationSuite } from './testing/simulation-suite.js';

simulationSuite({
  title: 'raft simulation: 3 voters + 1 observer',
  config: threeVoters,
  first: 0,
  count: 6_000,
  testFile: 'packages/controller-quorum/src/raft/simulation.test.ts',
});
