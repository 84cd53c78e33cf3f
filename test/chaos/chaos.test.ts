import { describe, expect, it } from 'vitest';
import { runChaos } from './run.js';

/**
 * The bounded chaos run of the CI (issue 9, reliability plan §6): at least 40 fault cycles
 * against three real nodes under an idempotent acks=all workload, then the checker over the
 * whole history. CHAOS_SEED replays a schedule, CHAOS_CYCLES changes the count;
 * `pnpm chaos --cycles N --seed S` runs longer ones outside vitest.
 */
const cycles = Number(process.env.CHAOS_CYCLES ?? 40);
const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const faults = process.env.CHAOS_FAULTS?.split(',');
// (Not RILL_*: the nodes inherit this environment, and RILL_* variables set their properties.)

describe('chaos: faults against a three-node cluster under an idempotent acks=all workload', () => {
  it(`${cycles} fault cycles lose, duplicate and reorder nothing, and heal in budget (seed ${seed})`, async () => {
    const lines: string[] = [];
    const started = Date.now();
    const log = (line: string): void => void lines.push(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s ${line}`);
    let summary = '';
    try {
      const result = await runChaos({ cycles, seed, ...(faults ? { faults } : {}), keep: process.env.CHAOS_KEEP === '1', log });
      summary = result.summary;
      expect(result.verdict.ok, result.summary).toBe(true);
      expect(result.verdict.stats.acknowledged).toBeGreaterThan(1000);
    } finally {
      // One block, so vitest prints the run as one piece (and also when it broke off).
      console.log(`${lines.join('\n')}\n\n${summary}`);
    }
  }, 15 * 60_000);
});
