/**
 * The deterministic simulation (DESIGN §4, reliability plan §3.2 layer 1): three voters and
 * an observer under drops, duplicates, reordering, partitions (symmetric and one-way),
 * swizzle-clog, crashes that lose unpersisted writes, and snapshots. The Raft invariants are
 * checked after every event; then everything heals and a proposal must commit on every node
 * within a bound. A failure prints SEED=n and the command that replays exactly that seed.
 * The five-voter run is in simulation-five.test.ts, so the two run in parallel.
 */
import * as kit from '@rill/testkit';
import { describe, expect, it } from 'vitest';
import { faultyNetwork, nemesisOptions, threeVoters } from './testing/configs.js';
import { seedChunks, simulateSeeds } from './testing/simulate.js';

const testFile = 'packages/controller-quorum/src/raft/simulation.test.ts';
// RILL_SEED=n runs exactly seed n; RILL_SEEDS=N runs N seeds from the default start.
const seeds = kit.seedsFromEnv({ first: 0, count: 6_000 });

describe('raft simulation: 3 voters + 1 observer', () => {
  it.each(seedChunks(seeds).map((chunk) => [chunk[0]!, chunk.at(-1)!, chunk] as const))(
    'seeds %i..%i keep the Raft invariants after every event and recover after healing',
    (_first, _last, chunk) => {
      const summary = simulateSeeds(kit, {
        config: threeVoters,
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
      expect(summary.livenessTicksMax).toBeLessThanOrEqual(threeVoters.livenessTicksMax);
    },
  );
});
