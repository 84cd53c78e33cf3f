/**
 * The same simulation as simulation.test.ts with five voters and an observer (a separate
 * file so vitest runs the two in parallel forks). Seeds start at 1,000,000 so the two files
 * never share one.
 */
import { fiveVoters } from './testing/configs.js';
import { simulationSuite } from './testing/simulation-suite.js';

simulationSuite({
  title: 'raft simulation: 5 voters + 1 observer',
  config: fiveVoters,
  first: 1_000_000,
  count: 4_000,
  testFile: 'packages/controller-quorum/src/raft/simulation-five.test.ts',
});
