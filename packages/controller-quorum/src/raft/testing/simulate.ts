/**
 * Runs seeds of the Raft simulation. The simulator comes in as `kit`: the test files pass
 * `import * as kit from '@rill/testkit'`, which fits the SimKit shape below. This file does
 * not import testkit itself, so the package builds without that dev-only dependency.
 */
import type { Random } from '@rill/base';
import type { RaftMessage } from '../messages.js';
import { raftInvariants } from './raft-invariants.js';
import { RaftWorld } from './raft-world.js';
import type {
  NemesisLike,
  NetworkOptions,
  SimNodesLike,
  SimRaftNode,
  SimScenario,
  WorldConfig,
} from './raft-world.js';

interface NemesisTarget {
  readonly ids: readonly number[];
  isUp(id: number): boolean;
  crash(id: number): void;
  restart(id: number): void;
}

export interface NemesisOptions {
  readonly partitionProbability: number;
  readonly oneWayProbability: number;
  readonly healProbability: number;
  readonly swizzleProbability: number;
  readonly swizzleStepMax: number;
  readonly crashProbability: number;
  readonly restartProbability: number;
  readonly downMax: number;
}

type ScenarioWithParts = SimScenario & {
  readonly clock: SimScenario['clock'] & object;
  readonly network: SimScenario['network'] & object;
};

export interface SimKit {
  Scenario: new (
    seed: number,
    network: NetworkOptions,
    deliver: (from: number, to: number, message: RaftMessage) => void,
  ) => ScenarioWithParts;
  SimNodes: new (
    ids: readonly number[],
    start: (id: number, incarnation: number) => SimRaftNode,
  ) => SimNodesLike<SimRaftNode>;
  Nemesis: new (
    clock: never,
    random: Random,
    network: never,
    target: NemesisTarget,
    options: NemesisOptions,
  ) => NemesisLike;
  InvariantChecker: new (invariants: typeof raftInvariants) => {
    check(world: RaftWorld): void;
    readonly checks: number;
  };
  runSeed<T>(seed: number, testFile: string, body: () => T, context?: () => string): T;
}

export interface SimulationPlan {
  readonly config: WorldConfig;
  readonly network: NetworkOptions;
  readonly nemesis: NemesisOptions;
  readonly seeds: readonly number[];
  readonly testFile: string;
}

export interface SimulationSummary {
  seeds: number;
  events: number;
  checks: number;
  livenessTicksMax: number;
  coverage: RaftWorld['coverage'];
}

/** Split seeds into chunks, one vitest test each: progress shows, and no test nears the timeout. */
export function seedChunks(seeds: readonly number[], size = 500): number[][] {
  const chunks: number[][] = [];
  for (let i = 0; i < seeds.length; i += size) chunks.push(seeds.slice(i, i + size));
  return chunks;
}

export function simulateSeeds(kit: SimKit, plan: SimulationPlan): SimulationSummary {
  const coverage = {
    elections: 0,
    checkQuorumResignations: 0,
    truncations: 0,
    snapshotsInstalled: 0,
    refusals: 0,
    crashes: 0,
    heldFetchesExpired: 0,
    heldFetchesAnsweredOnAppend: 0,
  };
  const summary: SimulationSummary = {
    seeds: 0,
    events: 0,
    checks: 0,
    livenessTicksMax: 0,
    coverage,
  };
  for (const seed of plan.seeds) {
    const report = (): string => simulateOne(kit, plan, seed, true).report;
    const result = kit.runSeed(
      seed,
      plan.testFile,
      () => simulateOne(kit, plan, seed, false),
      report,
    );
    summary.seeds++;
    summary.events += result.events;
    summary.checks += result.checks;
    summary.livenessTicksMax = Math.max(summary.livenessTicksMax, result.livenessTicks);
    for (const key of Object.keys(coverage) as (keyof typeof coverage)[])
      coverage[key] += result.coverage[key];
  }
  return summary;
}

interface SeedResult {
  coverage: RaftWorld['coverage'];
  events: number;
  checks: number;
  livenessTicks: number;
  report: string;
}

/** One seed. With `trace`, failures are caught and turned into a report of the last events. */
function simulateOne(kit: SimKit, plan: SimulationPlan, seed: number, trace: boolean): SeedResult {
  let world: RaftWorld | null = null;
  const scenario = new kit.Scenario(seed, plan.network, (from, to, message) =>
    world!.deliver(from, to, message),
  );
  world = new RaftWorld({ ...plan.config, trace }, scenario);
  const w = world;
  const nodes = new kit.SimNodes(w.ids, (id, incarnation) => w.startNode(id, incarnation));
  w.attach(nodes);
  const nemesis = new kit.Nemesis(
    scenario.clock as never,
    scenario.random,
    scenario.network as never,
    w,
    plan.nemesis,
  );
  const checker = new kit.InvariantChecker(raftInvariants);
  const result = (livenessTicks: number, report: string): SeedResult => ({
    coverage: w.coverage,
    events: scenario.clock.eventsRun,
    checks: checker.checks,
    livenessTicks,
    report,
  });
  if (!trace) return result(w.run(nemesis, () => checker.check(w)).livenessTicks, '');
  try {
    w.run(nemesis, () => checker.check(w));
    return result(0, 'the replay with tracing passed: the failure depends on tracing?');
  } catch (error) {
    return result(
      0,
      `${error instanceof Error ? error.message : String(error)}\n${w.report(nemesis)}`,
    );
  }
}
