import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { BenchProducer, SystemDriver } from './driver.js';
import { drainPhase, fixedRatePhase, maxRatePhase, type Percentiles } from './phases.js';
import { CpuMeter, peakRssBytes, rssBytes } from '../process-stats.js';
import { fixedRatePerSecond, type Durations, type Workload } from './workloads.js';

/** The figures of one workload on one system. */
export interface RunResult {
  readonly system: string;
  readonly description: string;
  readonly workload: string;
  readonly partitions: number;
  readonly recordBytes: number;
  readonly producers: number;
  readonly produce: {
    readonly MBps: number;
    readonly recordsPerSecond: number;
    readonly ackLatencyMs: Percentiles;
    /** CPU time of all servers together per MB produced: what the load costs, whatever else runs. */
    readonly serverCpuMsPerMB: number;
  };
  readonly consume: { readonly MBps: number; readonly recordsPerSecond: number };
  readonly fixedRate: {
    readonly ratePerSecond: number;
    readonly achievedPerSecond: number;
    readonly ackLatencyMs: Percentiles;
    readonly endToEndLatencyMs: Percentiles;
  } | null;
  /** CPU of each server process in cores during each phase. */
  readonly serverCores: { readonly produce: number[]; readonly consume: number[]; readonly fixedRate: number[] };
  /** Largest RSS of each server sampled during this workload, MB. */
  readonly serverRssMaxMB: number[];
  /** Why this run produced no figures (the suite goes on with the next). */
  readonly error?: string;
}

/** Samples the servers' RSS every 100 ms and keeps each one's largest. */
class RssSampler {
  readonly #pids: readonly number[];
  #max: number[];
  readonly #timer: NodeJS.Timeout;

  constructor(pids: readonly number[]) {
    this.#pids = pids;
    this.#max = pids.map(() => 0);
    this.#timer = setInterval(() => this.sample(), 100);
    this.#timer.unref();
  }

  sample(): void {
    this.#max = this.#pids.map((pid, i) => Math.max(this.#max[i]!, rssBytes(pid) || 0));
  }

  /** The largest RSS of each server since the last take, in MB; starts over. */
  take(): number[] {
    this.sample();
    const max = this.#max.map((bytes) => bytes / 1e6);
    this.#max = this.#pids.map(() => 0);
    return max;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

export interface SystemRun {
  readonly system: string;
  readonly description: string;
  /** One per workload: the median of its rounds. */
  readonly results: RunResult[];
  /** Every round of every workload, as measured. */
  readonly rounds: RunResult[][];
  /** VmHWM of each server when the system stopped: the peak over its whole run, MB. */
  readonly serverPeakRssMB: number[];
}

/**
 * Runs every workload on every system, each on fresh topics, taking turns: workload by
 * workload, each system in turn, `rounds` times over. Systems run one at a time but are all
 * up for the whole suite, so a change in the machine's load (it may be shared) falls on all
 * of them alike; each figure reported is the median of its rounds.
 */
export async function runSuite(args: {
  drivers: readonly SystemDriver[];
  workloads: readonly Workload[];
  durations: Durations;
  rounds: number;
  /** Skip the fixed-rate phase (scaling runs measure throughput only). */
  throughputOnly?: boolean;
  bytesMax: number;
  log: (line: string) => void;
}): Promise<SystemRun[]> {
  const samplers = args.drivers.map((driver) => new RssSampler(driver.serverPids()));
  const measured = args.drivers.map(() => args.workloads.map((): RunResult[] => []));
  try {
    for (let round = 0; round < args.rounds; round++) {
      for (const [w, workload] of args.workloads.entries()) {
        for (const [d, driver] of args.drivers.entries()) {
          const what = workload.name.includes('producer') || workload.producers === 1 ? workload.name : `${workload.name}, ${workload.producers} producers`;
          args.log(`running: ${driver.id}, ${what}${args.rounds > 1 ? ` (round ${round + 1} of ${args.rounds})` : ''} ...`);
          const topic = `w${w}r${round}`;
          try {
            measured[d]![w]!.push(await runWorkload({ ...args, driver, workload, topic, rss: samplers[d]!, pids: driver.serverPids() }));
          } catch (error) {
            const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
            args.log(`failed: ${driver.id}, ${what}: ${message}`);
            measured[d]![w]!.push(failedRun(driver, workload, message));
          }
        }
      }
    }
    return args.drivers.map((driver, d) => ({
      system: driver.id,
      description: driver.description,
      results: measured[d]!.map((rounds) => medianOf(rounds)),
      rounds: measured[d]!,
      serverPeakRssMB: driver.serverPids().map((pid) => peakRssBytes(pid) / 1e6),
    }));
  } finally {
    for (const sampler of samplers) sampler.stop();
  }
}

function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const medianPercentiles = (all: readonly Percentiles[]): Percentiles => ({
  p50: median(all.map((p) => p.p50)),
  p99: median(all.map((p) => p.p99)),
  p999: median(all.map((p) => p.p999)),
});

const medianEach = (all: readonly (readonly number[])[]): number[] =>
  (all[0] ?? []).map((_, i) => median(all.map((values) => values[i]!)));

/** What every result says about which system ran which workload. */
function runIdentity(driver: SystemDriver, workload: Workload) {
  return {
    system: driver.id,
    description: driver.description,
    workload: workload.name,
    partitions: workload.partitions,
    recordBytes: workload.recordBytes,
    producers: workload.producers,
  };
}

/** A run that failed: no figures, and why. */
function failedRun(driver: SystemDriver, workload: Workload, error: string): RunResult {
  const none: Percentiles = { p50: Number.NaN, p99: Number.NaN, p999: Number.NaN };
  return {
    ...runIdentity(driver, workload),
    produce: { MBps: Number.NaN, recordsPerSecond: Number.NaN, ackLatencyMs: none, serverCpuMsPerMB: Number.NaN },
    consume: { MBps: Number.NaN, recordsPerSecond: Number.NaN },
    fixedRate: null,
    serverCores: { produce: [], consume: [], fixedRate: [] },
    serverRssMaxMB: [],
    error,
  };
}

/** Each figure the median over the rounds that produced figures; RSS the largest. */
function medianOf(all: readonly RunResult[]): RunResult {
  const rounds = all.filter((r) => r.error === undefined);
  if (rounds.length === 0) return all[0]!;
  const first = rounds[0]!;
  const paced = rounds.map((r) => r.fixedRate).filter((f) => f !== null);
  return {
    ...first,
    produce: {
      MBps: median(rounds.map((r) => r.produce.MBps)),
      recordsPerSecond: median(rounds.map((r) => r.produce.recordsPerSecond)),
      ackLatencyMs: medianPercentiles(rounds.map((r) => r.produce.ackLatencyMs)),
      serverCpuMsPerMB: median(rounds.map((r) => r.produce.serverCpuMsPerMB)),
    },
    consume: {
      MBps: median(rounds.map((r) => r.consume.MBps)),
      recordsPerSecond: median(rounds.map((r) => r.consume.recordsPerSecond)),
    },
    fixedRate: paced.length === 0 ? null : {
      ratePerSecond: paced[0]!.ratePerSecond,
      achievedPerSecond: median(paced.map((f) => f.achievedPerSecond)),
      ackLatencyMs: medianPercentiles(paced.map((f) => f.ackLatencyMs)),
      endToEndLatencyMs: medianPercentiles(paced.map((f) => f.endToEndLatencyMs)),
    },
    serverCores: {
      produce: medianEach(rounds.map((r) => r.serverCores.produce)),
      consume: medianEach(rounds.map((r) => r.serverCores.consume)),
      fixedRate: medianEach(rounds.map((r) => r.serverCores.fixedRate)),
    },
    serverRssMaxMB: (first.serverRssMaxMB).map((_, i) => Math.max(...rounds.map((r) => r.serverRssMaxMB[i]!))),
  };
}

async function runWorkload(args: {
  driver: SystemDriver;
  workload: Workload;
  durations: Durations;
  throughputOnly?: boolean;
  bytesMax: number;
  topic: string;
  rss: RssSampler;
  pids: readonly number[];
}): Promise<RunResult> {
  const { driver, workload, durations, topic, pids } = args;
  settlePageCache();
  args.rss.take();
  await driver.createTopic(topic, workload.partitions);
  const producers: BenchProducer[] = [];
  for (let i = 0; i < workload.producers; i++) producers.push(await driver.openProducer(topic, workload.partitions, workload.recordBytes));
  let cpu = new CpuMeter(pids);
  const produced = await maxRatePhase({
    producers,
    partitions: workload.partitions,
    recordBytes: workload.recordBytes,
    warmupMs: durations.warmupMs,
    durationMs: durations.maxRateMs,
    bytesMax: args.bytesMax,
  }).finally(() => Promise.all(producers.map((p) => p.close().catch(() => undefined))));
  const produceCores = cpu.cores();
  const produceCpuSeconds = cpu.seconds();
  cpu = new CpuMeter(pids);
  const drained = await drainPhase({ driver, topic, partitions: workload.partitions, records: produced.totalRecords });
  const consumeCores = cpu.cores();
  let fixedRate: RunResult['fixedRate'] = null;
  let fixedRateCores: number[] = [];
  if (args.throughputOnly !== true) {
    await driver.createTopic(`${topic}latency`, workload.partitions);
    cpu = new CpuMeter(pids);
    const paced = await fixedRatePhase({
      driver,
      topic: `${topic}latency`,
      partitions: workload.partitions,
      recordBytes: workload.recordBytes,
      ratePerSecond: fixedRatePerSecond,
      warmupMs: durations.warmupMs,
      durationMs: durations.fixedRateMs,
    });
    fixedRateCores = cpu.cores();
    fixedRate = {
      ratePerSecond: fixedRatePerSecond,
      achievedPerSecond: paced.achievedPerSecond,
      ackLatencyMs: paced.ackLatencyMs,
      endToEndLatencyMs: paced.endToEndLatencyMs,
    };
  }
  return {
    ...runIdentity(driver, workload),
    produce: {
      MBps: produced.bytes / 1e6 / (produced.elapsedMs / 1000),
      recordsPerSecond: produced.records / (produced.elapsedMs / 1000),
      ackLatencyMs: produced.ackLatencyMs,
      serverCpuMsPerMB: (1000 * produceCpuSeconds) / (produced.totalBytes / 1e6),
    },
    consume: {
      MBps: drained.bytes / 1e6 / (drained.elapsedMs / 1000),
      recordsPerSecond: drained.records / (drained.elapsedMs / 1000),
    },
    fixedRate,
    serverCores: { produce: produceCores, consume: consumeCores, fixedRate: fixedRateCores },
    serverRssMaxMB: args.rss.take(),
  };
}

/**
 * Starts every run from the same page cache: what earlier runs wrote goes to disk and, when
 * this process may (root), out of the cache. On this kind of machine writes slow down by 2-5x
 * once the cache is full of an earlier run's pages (a plain file writer: 2.6 GB/s into an
 * empty cache, 0.4-0.6 GB/s after 4 GB), so without this the system that runs second pays
 * for the first. The backlog read still finds its own run's data cached: it was just written.
 */
function settlePageCache(): void {
  spawnSync('sync', { stdio: 'ignore' });
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '1');
  } catch {
    // Not root: runs start with a written-back, but full, page cache.
  }
}
