/**
 * The same simulation as simulation.test.ts with five voters and an observer (a separate
 * file so vitest runs the two in parallel forks). Seeds start at 1,000,000 so the two files
 * never share one.
 */
import * as kit from '@rill/testkit';
import { describe, expect, it } from 'vitest';
import { faultyNetwork, nemesisOptions, fiveVoters } from './testing/configs.js';
import { seedChunks, simulateSeeds } from './testing/simulate.js';

const testFile = 'packages/controller-quorum/src/raft/simulation-five.test.ts';
// RILL_SEED=n runs exactly seed n; RILL_SEEDS=N runs N seeds from the default start.
const seeds = kit.seedsFromEnv({ first: 1_000_000, count: 4_000 });

describe('raft simulation: 5 voters + 1 observer', () => {
  it.each(seedChunks(seeds).map((chunk) => [chunk[0]!, chunk.at(-1)!, chunk] as const))(
    'seeds %i..%i keep the Raft invariants after every event and recover after healing',
    (_first, _last, chunk) => {
      const summary = simulateSeeds(kit, {
        config: fiveVoters,
        network: faultyNetwork,
        nemesis: nemesisOptions,
        seeds: chunk,
        testFile,
      });
      expect(summary.seeds).toBe(chunk.length);
      if (chunk.length >= 100) {
        // The faults must reach the paths that matter, or passing proves little.
        const { coverage } = summary;
        expect(coverage.elections).toBeGreaterThan(chunk.length);
        expect(coverage.checkQuorumResignations).toBeGreaterThan(0);
        expect(coverage.truncations).toBeGreaterThan(0);
        expect(coverage.snapshotsInstalled).toBeGreaterThan(0);
        expect(coverage.crashes).toBeGreaterThan(0);
      }
      expect(summary.livenessTicksMax).toBeLessThanOrEqual(fiveVoters.livenessTicksMax);
    },
  );
});
