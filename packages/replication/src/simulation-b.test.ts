/**
 * The same simulation as simulation.test.ts over another seed range (a separate file so
 * vitest runs the two in parallel forks). Seeds start at 1,000,000 so the files never share one.
 */
import { simulationSuite } from './testing/simulation-suite.js';

simulationSuite({
  title: 'replication simulation (second range)',
  first: 1_000_000,
  count: 1_250,
  testFile: 'packages/replication/src/simulation-b.test.ts',
});
