import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoadgenSuite } from './loadgen/loadgen-suite.js';
import { runSuite } from './suite/compare.js';
import type { SystemDriver } from './suite/driver.js';
import { NatsDriver } from './suite/nats-driver.js';
import { findNatsServer } from './suite/nats-server.js';
import { judgeGoals, printComparison, printGoals } from './suite/report.js';
import { RillDriver } from './suite/rill-driver.js';
import { printScaling, scalingWorkloads } from './suite/scaling.js';
import { durationsFor, standardWorkloads, type Workload } from './suite/workloads.js';

const usage = `Usage: pnpm bench [options]

Runs OpenMessaging-style workloads (1 topic with 1 or 8 partitions, 100 B and 1 KiB records;
max-rate produce, a backlog read, and 5,000 records/s with a live consumer for latency) on
every system in the same run, prints tables and writes JSON under bench/results/:
  rill-1   Rill, 1 node, replication factor 1, acks=1
  rill-3   Rill, 3 nodes, replication factor 3, acks=all, min.insync.replicas=2
  nats-1   NATS JetStream, 1 node, R1 file stream      (needs nats-server)
  nats-3   NATS JetStream, 3 nodes, R3 file stream     (needs nats-server)

  --seconds N        length of each measured phase (default 10)
  --quick            a smoke run: one second per phase, two workloads
  --systems a,b      only these systems (default: all; NATS only when nats-server is found)
  --workload TEXT    only workloads whose name contains TEXT
  --rounds N         run everything N times, systems taking turns; report medians (default 1)
  --scaling          throughput against partitions (1-512), record size and producers instead
  --profile DIR      run Rill servers with --cpu-prof, profiles written to DIR
  --set KEY=VALUE    a server property for every Rill node (repeatable), e.g. log.flush.on.ack=true
  --loadgen          the single-node load-generator and @rill/client tables instead`;

const allSystems = ['rill-1', 'rill-3', 'nats-1', 'nats-3'] as const;
type SystemId = (typeof allSystems)[number];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      quick: { type: 'boolean' },
      systems: { type: 'string' },
      workload: { type: 'string' },
      rounds: { type: 'string' },
      scaling: { type: 'boolean' },
      profile: { type: 'string' },
      set: { type: 'string', multiple: true },
      loadgen: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void console.log(usage);
  const quick = values.quick === true;
  const seconds = Number(values.seconds ?? 10);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${values.seconds}`);
  if (values.loadgen) return runLoadgenSuite(quick ? 1 : seconds);

  const natsServer = findNatsServer();
  const systems = chooseSystems(values.systems, natsServer !== null, values.scaling === true);
  let workloads: readonly Workload[] = values.scaling ? scalingWorkloads : standardWorkloads;
  if (quick && !values.scaling) workloads = workloads.filter((w) => w.name === '1 KiB records, 8 partitions' || w.name === '100 B records, 1 partition');
  if (values.workload !== undefined) workloads = workloads.filter((w) => w.name.includes(values.workload!));
  if (workloads.length === 0) throw new Error('no workload matches --workload');
  if (natsServer === null && !values.scaling) {
    console.log('NATS JetStream skipped: no nats-server on this machine (pnpm bench installs Debian\'s package when run as root).');
  }

  const rounds = Number(values.rounds ?? 1);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  const durations = durationsFor(seconds, quick);
  const nodeArgs = values.profile !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  const properties = Object.fromEntries((values.set ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--set wants KEY=VALUE, got ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }));
  const loadBefore = loadavg()[0]!;
  console.log(`machine: ${availableParallelism()} cores, load average ${loadBefore.toFixed(1)} before the run`);
  const drivers: SystemDriver[] = [];
  let runs;
  try {
    for (const system of systems) drivers.push(await startSystem(system, natsServer, { nodeArgs, properties }));
    runs = await runSuite({
      drivers,
      workloads,
      durations,
      rounds,
      throughputOnly: values.scaling === true,
      bytesMax: 4 * 1024 ** 3,
      log: (line) => console.log(line),
    });
  } finally {
    await Promise.all(drivers.map((driver) => driver.stop()));
  }
  const loadAfter = loadavg()[0]!;
  console.log(`machine: load average ${loadAfter.toFixed(1)} after the run (figures from a busy machine are low and noisy)`);

  const kind = values.scaling ? 'scaling' : 'compare';
  if (values.scaling) printScaling(runs);
  else printComparison(runs);
  const goals = values.scaling ? [] : judgeGoals(runs);
  if (goals.length > 0) printGoals(goals);
  const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const file = `${resultsDir}${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ kind, quick, durations, machine: { ...machineFacts(), loadBefore, loadAfter }, rounds, runs, goals }, null, 2));
  console.log(`\nresults written to bench/results/${file.slice(resultsDir.length)}`);
}

function chooseSystems(list: string | undefined, natsPresent: boolean, scaling: boolean): SystemId[] {
  const wanted = list === undefined ? (scaling ? ['rill-1', 'rill-3'] : [...allSystems]) : list.split(',').map((s) => s.trim());
  for (const name of wanted) {
    if (!(allSystems as readonly string[]).includes(name)) throw new Error(`unknown system ${name}; known: ${allSystems.join(', ')}`);
  }
  const chosen = wanted as SystemId[];
  if (natsPresent) return chosen;
  if (list !== undefined && chosen.some((s) => s.startsWith('nats'))) throw new Error('nats-server is not installed; run pnpm bench as root, or apt-get install nats-server');
  return chosen.filter((s) => !s.startsWith('nats'));
}

/** Starts a system; again (on new ports) when a port picked as free was taken meanwhile. */
interface RillSettings {
  readonly nodeArgs: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
}

async function startSystem(system: SystemId, natsServer: string | null, rill: RillSettings): Promise<SystemDriver> {
  console.log(`starting: ${system}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(system, natsServer, rill);
    } catch (error) {
      if (attempt >= 3 || !/in use/i.test(String(error))) throw error;
      console.log(`starting: ${system} again (a port was taken meanwhile)`);
    }
  }
}

function startOnce(system: SystemId, natsServer: string | null, rill: RillSettings): Promise<SystemDriver> {
  switch (system) {
    case 'rill-1':
      return RillDriver.start({ nodes: 1, ...rill });
    case 'rill-3':
      return RillDriver.start({ nodes: 3, ...rill });
    case 'nats-1':
      return NatsDriver.start({ binary: natsServer!, nodes: 1 });
    case 'nats-3':
      return NatsDriver.start({ binary: natsServer!, nodes: 3 });
  }
}

function machineFacts(): { cpus: number; node: string } {
  return { cpus: availableParallelism(), node: process.version };
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
