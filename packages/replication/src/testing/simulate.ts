/**
 * Runs seeds of the replication simulation: each seed is one ReplicationWorld checked by
 * testkit's InvariantChecker after every event; a failing seed is rethrown by runSeed with
 * SEED=n, the command that replays it, and a report from a traced replay.
 */
import { InvariantChecker, runSeed } from '@rill/testkit';
import { finalAckCheck, replicationInvariants } from './replication-invariants.js';
import { ReplicationWorld } from './replication-world.js';
import type { Coverage } from './sim-context.js';
import { emptyCoverage } from './sim-context.js';

export interface SimulationSummary {
  seeds: number;
  events: number;
  checks: number;
  livenessMsMax: number;
  coverage: Coverage;
}

/** Split seeds into chunks, one vitest test each: progress shows, and no test nears the timeout. */
export function seedChunks(seeds: readonly number[], size = 250): number[][] {
  const chunks: number[][] = [];
  for (let i = 0; i < seeds.length; i += size) chunks.push(seeds.slice(i, i + size));
  return chunks;
}

export function simulateSeeds(seeds: readonly number[], testFile: string): SimulationSummary {
  const summary: SimulationSummary = {
    seeds: 0,
    events: 0,
    checks: 0,
    livenessMsMax: 0,
    coverage: emptyCoverage(),
  };
  for (const seed of seeds) {
    const result = runSeed(seed, testFile, () => simulateOne(seed, false), () => simulateOne(seed, true).report);
    summary.seeds++;
    summary.events += result.events;
    summary.checks += result.checks;
    summary.livenessMsMax = Math.max(summary.livenessMsMax, result.livenessMs);
    const total = summary.coverage as unknown as Record<string, number>;
    for (const [key, value] of Object.entries(result.coverage)) total[key]! += value;
  }
  return summary;
}

interface SeedResult {
  events: number;
  checks: number;
  livenessMs: number;
  coverage: Coverage;
  report: string;
}

/** One seed. With `trace`, a failure is caught and turned into a report of the last events. */
export function simulateOne(seed: number, trace: boolean): SeedResult {
  const world = new ReplicationWorld(seed, trace);
  const checker = new InvariantChecker(replicationInvariants);
  const check = (): void => checker.check(world.state);
  const result = (livenessMs: number, report: string): SeedResult => ({
    events: world.scenario.clock.eventsRun,
    checks: checker.checks,
    livenessMs,
    coverage: world.coverage,
    report,
  });
  if (!trace) return result(world.run(check, () => finalAckCheck(world.state)).livenessMs, '');
  try {
    world.run(check, () => finalAckCheck(world.state));
    return result(0, 'the replay with tracing passed: the failure depends on tracing?');
  } catch (error) {
    return result(0, `${error instanceof Error ? error.message : String(error)}\n${world.report()}`);
  }
}
