import * as kit from '@rill/testkit';
import { describe, expect, it } from 'vitest';
import { faultyNetwork, nemesisOptions } from './configs.js';
import { seedChunks, simulateSeeds } from './simulate.js';

type WorldConfig = Parameters<typeof simulateSeeds>[1]['config'];

/**
 * One simulation suite: the seeds in chunks (RILL_SEED=n runs exactly seed n, RILL_SEEDS=N
 * runs N seeds from `first`), each chunk checked for the invariants, for liveness after
 * healing, and for having reached the paths that matter.
 */
export function simulationSuite(options: { title: string; config: WorldConfig; first: number; count: number; testFile: string }): void {
  const seeds = kit.seedsFromEnv({ first: options.first, count: options.count });
  describe(options.title, () => {
    it.each(seedChunks(seeds).map((chunk) => [chunk[0]!, chunk.at(-1)!, chunk] as const))(
      'seeds %i..%i keep the Raft invariants after every event and recover after healing',
      (_first, _last, chunk) => {
        const summary = simulateSeeds(kit, {
          config: options.config,
          network: faultyNetwork,
          nemesis: nemesisOptions,
          seeds: chunk,
          testFile: options.testFile,
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
          expect(coverage.heldFetchesExpired).toBeGreaterThan(chunk.length);
          expect(coverage.heldFetchesAnsweredOnAppend).toBeGreaterThan(chunk.length);
        }
        expect(summary.livenessTicksMax).toBeLessThanOrEqual(options.config.livenessTicksMax);
      },
    );
  });
}
