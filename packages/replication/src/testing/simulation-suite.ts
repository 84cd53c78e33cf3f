/**
 * One simulation suite: the seeds in chunks (RILL_SEED=n runs exactly seed n, RILL_SEEDS=N
 * runs N seeds from `first`), each chunk checked for the invariants after every event, for
 * liveness after healing, and for having reached the paths that matter.
 */
import { seedsFromEnv } from '@rill/testkit';
import { describe, expect, it } from 'vitest';
import { seedChunks, simulateSeeds } from './simulate.js';

export function simulationSuite(options: { title: string; first: number; count: number; testFile: string }): void {
  const seeds = seedsFromEnv({ first: options.first, count: options.count });
  describe(options.title, () => {
    it.each(seedChunks(seeds).map((chunk) => [chunk[0]!, chunk.at(-1)!, chunk] as const))(
      'seeds %i..%i keep I1/I4/I6 after every event and heal',
      (_first, _last, chunk) => {
        const summary = simulateSeeds(chunk, options.testFile);
        expect(summary.seeds).toBe(chunk.length);
        if (chunk.length >= 100) {
          // The faults must reach the paths that matter, or passing proves little.
          const { coverage } = summary;
          expect(coverage.elections).toBeGreaterThan(chunk.length);
          expect(coverage.fencings).toBeGreaterThan(chunk.length);
          expect(coverage.reregistrations).toBeGreaterThan(0);
          expect(coverage.tornTails).toBeGreaterThan(0);
          expect(coverage.pauses).toBeGreaterThan(0);
          expect(coverage.isrShrinks).toBeGreaterThan(chunk.length);
          expect(coverage.isrExpands).toBeGreaterThan(chunk.length);
          expect(coverage.alterRefusals).toBeGreaterThan(0);
          expect(coverage.truncations).toBeGreaterThan(chunk.length);
          expect(coverage.multiRoundTruncations).toBeGreaterThan(0);
          expect(coverage.leaseRefusals).toBeGreaterThan(0);
          expect(coverage.acked).toBeGreaterThan(chunk.length * 10);
        }
      },
    );
  });
}
