import { appendFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@rill/base';
import { ErrorCode } from '@rill/protocol';
import { FaultyCluster, waitFor, type NetworkMode, type ServerProcess } from '@rill/testkit';
import { readReplicaLog } from '../replication/support/replica-logs.js';
import { createTopic } from '../replication/support/wire.js';
import { check, type Verdict } from './checker.js';
import { History, type Op, type ReadRecord } from './history.js';
import { allFaults, restart, schedule, type ChaosContext } from './nemesis.js';
import { formatSummary } from './summary.js';
import { agreedPartitions, fetchRecords } from './wire.js';
import { CommittedOffsetsProbe, describeStats, GroupConsumers, KafkajsWriters, Prober, Readers, RillWriters, type WorkloadTarget } from './workload.js';

/**
 * One chaos run: a three-node cluster, the workload, `cycles` fault-and-heal cycles from the
 * seeded nemesis, a final read of every partition, a byte comparison of the replicas, and the
 * checker's verdict over the whole history. A failing run keeps its directory (history,
 * node logs, data directories) for replay; a passing one removes it unless asked to keep it.
 */

export interface ChaosOptions {
  readonly cycles: number;
  readonly seed: number;
  /** netns as root, proxy otherwise, unless set. */
  readonly network?: NetworkMode;
  /** Only these fault kinds (default: every kind this machine can inject). */
  readonly faults?: readonly string[];
  /** Where run directories go (default: the OS temp dir). */
  readonly outDir?: string;
  /** Keep the run directory even when the run passes. */
  readonly keep?: boolean;
  readonly log?: (line: string) => void;
}

export interface ChaosResult {
  readonly verdict: Verdict;
  readonly summary: string;
  readonly ops: readonly Op[];
  readonly wallMs: number;
  /** The kept run directory, or null when it was removed. */
  readonly runDir: string | null;
}

export const chaosTimings = {
  sessionTimeoutMs: 3000,
  heartbeatMs: 500,
  replicaLagMs: 3000,
  /** I15: after a heal, every partition takes writes and every replica is back in the ISR within this. */
  healBudgetMs: 30_000,
  /** Past this a heal is given up on and the run stops (the verdict then fails). */
  healGiveUpMs: 60_000,
} as const;

const topic = 'chaos';
const partitions = 6;
const group = 'chaos-group';

const clusterProperties = {
  'broker.session.timeout.ms': chaosTimings.sessionTimeoutMs,
  'broker.heartbeat.interval.ms': chaosTimings.heartbeatMs,
  'replica.lag.time.max.ms': chaosTimings.replicaLagMs,
  'min.insync.replicas': 2,
  'default.replication.factor': 3,
  'auto.create.topics.enable': false,
  'auto.leader.rebalance.enable': true,
  'leader.imbalance.check.interval.seconds': 10,
  'log.segment.bytes': 512 * 1024,
  // Every partition fsyncs about once a second, so the fsync fault meets the data path.
  'log.flush.interval.ms': 1000,
  'offsets.topic.num.partitions': 3,
  'offsets.topic.replication.factor': 3,
  'group.initial.rebalance.delay.ms': 0,
  'group.min.session.timeout.ms': 1000,
} as const;

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const runDir = join(options.outDir ?? tmpdir(), `rill-chaos-${options.seed}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  const log = (line: string): void => {
    appendFileSync(join(runDir, 'run.log'), `${new Date().toISOString()} ${line}\n`);
    options.log?.(line);
  };
  const history = new History(join(runDir, 'history.jsonl'));
  const cluster = await FaultyCluster.start({
    nodes: 3,
    properties: clusterProperties,
    nodeArgs: ['--max-old-space-size=256'],
    env: { RILL_LOG_LEVEL: process.env.CHAOS_NODE_LOG_LEVEL ?? 'info' },
    outputDir: runDir,
    ...(options.network ? { network: options.network } : {}),
    ...(process.getuid?.() === 0 ? { tmpfsMb: 96 } : {}),
    readyTimeoutMs: 30_000,
  });
  log(`cluster up in ${Date.now() - started} ms (network: ${cluster.network.mode}${cluster.usesTmpfs ? ', log dirs on tmpfs' : ''}); run directory ${runDir}`);
  history.add({ type: 'meta', t: Date.now(), seed: options.seed, cycles: options.cycles, topic, partitions, network: cluster.network.mode, properties: clusterProperties });
  let failed = true;
  try {
    const result = await exercise({ cluster, history, options, runDir, log });
    const verdict = check(history.ops);
    failed = !verdict.ok;
    if (failed || options.keep) keepEvidence(cluster, runDir);
    await cluster.destroy();
    await history.close();
    const wallMs = Date.now() - started;
    const keptDir = failed || options.keep ? runDir : null;
    const summary = formatSummary({ seed: options.seed, cycles: result.cycles, network: cluster.network.mode, wallMs, ops: history.ops, verdict, runDir: keptDir });
    if (keptDir !== null) writeFileSync(join(runDir, 'summary.txt'), `${summary}\n${result.workload}\n`);
    else rmSync(runDir, { recursive: true, force: true });
    return { verdict, summary: `${summary}\n${result.workload}`, ops: history.ops, wallMs, runDir: keptDir };
  } catch (error) {
    keepEvidence(cluster, runDir);
    writeFileSync(join(runDir, 'error.txt'), `${(error as Error).stack ?? error}\n`);
    await cluster.destroy();
    await history.close();
    throw new Error(`chaos run (seed ${options.seed}) broke off: ${(error as Error).message}; evidence kept in ${runDir}`, { cause: error });
  }
}

function keepEvidence(cluster: FaultyCluster, runDir: string): void {
  for (const node of cluster.nodes) {
    try {
      cpSync(node.dataDir, join(runDir, `node-${node.nodeId}-data`), { recursive: true });
    } catch {
      // A data dir being written while copied may lose a file: the history still stands.
    }
  }
}

interface Workload {
  readonly prober: Prober;
  readonly writers: readonly (KafkajsWriters | RillWriters)[];
  readonly readers: Readers;
  readonly consumers: GroupConsumers;
  readonly committed: CommittedOffsetsProbe;
}

function startWorkload(target: WorkloadTarget, bootstrap: readonly string[]): Workload {
  const writerOptions = { bootstrap, recordsPerSend: 4, pauseMs: 60, ackTimeoutMs: 3000 };
  return {
    prober: new Prober(target, { intervalMs: 100, ackTimeoutMs: 500 }),
    writers: [new KafkajsWriters(target, writerOptions), new RillWriters(target, writerOptions)],
    readers: new Readers(target, { proc: 'reader', pauseMs: 200 }),
    consumers: new GroupConsumers(target, { group, members: 2, bootstrap, commitIntervalMs: 250 }),
    committed: new CommittedOffsetsProbe(target, { group, intervalMs: 300 }),
  };
}

function describeWorkload(workload: Workload): string {
  return [
    ...workload.writers.map((w) => describeStats(w.proc, w.stats)),
    describeStats('probe', workload.prober.stats),
    describeStats('reader', workload.readers.stats),
    describeStats(`${group} (sends = commits)`, workload.consumers.stats),
    describeStats('offset-fetch', workload.committed.stats),
  ].join('\n');
}

async function exercise(input: { cluster: FaultyCluster; history: History; options: ChaosOptions; runDir: string; log: (line: string) => void }) {
  const { cluster, history, options, runDir, log } = input;
  await createTopic(cluster.nodes, topic, partitions, 3);
  const paused = new Set<number>();
  const target: WorkloadTarget = {
    topic,
    partitions,
    history,
    reachable: () => cluster.running().filter((n) => !paused.has(n.nodeId)),
    node: (id) => cluster.node(id),
    logDir: runDir,
    log,
  };
  const workload = startWorkload(target, cluster.bootstrap);
  const ctx: ChaosContext = {
    cluster,
    history,
    prober: workload.prober,
    rng: new SeededRandom((options.seed ^ 0x5bd1e995) >>> 0),
    topic,
    partitions,
    sessionTimeoutMs: chaosTimings.sessionTimeoutMs,
    replicaLagMs: chaosTimings.replicaLagMs,
    paused,
    down: new Set(),
    mayExit: new Set(),
    coordinatorOf: () => workload.committed.coordinator(target, group).catch(() => null),
    log,
  };
  const stopWatching = watchForCrashes(ctx);
  let cycles = 0;
  let finished = false;
  try {
    cycles = await runCycles(ctx, options, workload.consumers);
    finished = true;
  } finally {
    stopWatching();
    await healEverything(ctx);
    await Promise.all(workload.writers.map((w) => w.stop()));
    await workload.prober.stop();
    if (!finished) await Promise.all([workload.readers.stop(), workload.consumers.stop(), workload.committed.stop()]);
  }
  await finish(ctx, workload.readers, workload.consumers);
  await workload.committed.stop();
  return { cycles, workload: describeWorkload(workload) };
}

/** The fault cycles: each fault, then a wait until the cluster is whole and writable again. */
async function runCycles(ctx: ChaosContext, options: ChaosOptions, consumers: GroupConsumers): Promise<number> {
  if ((await waitHealthy(ctx, Date.now())) === null) throw new Error('the cluster never became healthy under the workload');
  const faults = allFaults.filter((f) => f.available(ctx) && (options.faults === undefined || options.faults.includes(f.kind)));
  if (faults.length === 0) throw new Error(`no fault kind to run among ${options.faults?.join(', ')}`);
  const plan = schedule(new SeededRandom(options.seed >>> 0), faults, options.cycles);
  const consumerChecks: Promise<void>[] = [];
  let cycles = 0;
  for (const fault of plan) {
    cycles++;
    await fault.run(ctx, cycles);
    const since = Date.now();
    const ms = await waitHealthy(ctx, since);
    ctx.history.add({ type: 'measure', t: Date.now(), cycle: cycles, kind: fault.kind, name: 'heal', ms, budgetMs: chaosTimings.healBudgetMs });
    ctx.log(`cycle ${cycles} ${fault.kind}: healed after ${ms ?? 'never'} ms`);
    consumerChecks.push(watchConsumers(ctx, consumers, cycles, fault.kind, since));
    if (ms === null) break;
  }
  await Promise.all(consumerChecks);
  return cycles;
}

/**
 * I15 for the group: after a heal, its members read every partition again within the heal
 * budget (the writers never stop, so every partition has something new to read).
 */
async function watchConsumers(ctx: ChaosContext, consumers: GroupConsumers, cycle: number, kind: string, since: number): Promise<void> {
  const ms = await waitFor(() => (consumers.lastReadAt.every((t) => t > since) ? Date.now() - since : null), {
    timeoutMs: chaosTimings.healBudgetMs,
    intervalMs: 100,
    description: 'the group to read every partition',
  }).catch(() => null);
  ctx.history.add({ type: 'measure', t: Date.now(), cycle, kind, name: 'consumers', ms, budgetMs: chaosTimings.healBudgetMs });
  if (ms === null) ctx.log(`cycle ${cycle} ${kind}: the group has not read every partition within ${chaosTimings.healBudgetMs} ms of the heal (read last at ${consumers.lastReadAt.map((t) => t - since).join(', ')} ms)`);
}

/** Notices a node process that ended without the nemesis killing it, and records it. */
function watchForCrashes(ctx: ChaosContext): () => void {
  const timer = setInterval(() => {
    for (const node of ctx.cluster.nodes) {
      if (node.running || ctx.down.has(node.nodeId)) continue;
      ctx.down.add(node.nodeId);
      const expected = ctx.mayExit.has(node.nodeId);
      void node.signal('SIGCONT').then((code) => {
        ctx.history.add({ type: 'crash', t: Date.now(), node: node.nodeId, exit: `code ${code}`, expected });
        ctx.log(`node ${node.nodeId} exited by itself (code ${code})${expected ? ' during a disk fault' : ''}:\n${tail(node)}`);
      });
    }
  }, 200);
  return () => clearInterval(timer);
}

function tail(node: ServerProcess, lines = 15): string {
  return node.output.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Undoes whatever a broken-off fault left: links, paused and dead nodes. */
async function healEverything(ctx: ChaosContext): Promise<void> {
  await ctx.cluster.network.heal();
  for (const id of [...ctx.paused]) {
    ctx.paused.delete(id);
    await ctx.cluster.node(id).signal('SIGCONT');
  }
}

/**
 * Waits until every node runs (restarting any that died on its own), every partition has a
 * leader and its full replica set in the ISR as all nodes agree, and every partition has
 * taken a write sent after `since`. Returns the ms since `since`, or null past the give-up time.
 */
async function waitHealthy(ctx: ChaosContext, since: number): Promise<number | null> {
  const all = Array.from({ length: ctx.partitions }, (_, p) => p);
  return waitFor(
    async () => {
      for (const node of ctx.cluster.nodes) {
        if (!node.running && ctx.down.has(node.nodeId)) {
          await restart(ctx, node);
          ctx.log(`restarted node ${node.nodeId}`);
        }
      }
      const view = await agreedPartitions(ctx.cluster.nodes, ctx.topic, 1500);
      if (view === null || !view.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length)) return null;
      return ctx.prober.writableAfter(all, since).every((t) => t !== null) ? Date.now() - since : null;
    },
    { timeoutMs: chaosTimings.healGiveUpMs, intervalMs: 100, description: 'the cluster to heal' },
  ).catch((error: unknown) => {
    ctx.log(`not healed: ${(error as Error).message}`);
    return null;
  });
}

/** The final phase: drain the readers, read every partition whole, compare the replicas' bytes. */
async function finish(ctx: ChaosContext, readers: Readers, consumers: GroupConsumers): Promise<void> {
  const view = await waitFor(
    async () => {
      const v = await agreedPartitions(ctx.cluster.nodes, ctx.topic, 2000);
      return v !== null && v.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length) ? v : null;
    },
    { timeoutMs: chaosTimings.healGiveUpMs, intervalMs: 200, description: 'full ISRs for the final read' },
  ).catch(() => null);
  if (view === null) {
    await readers.stop();
    await consumers.stop();
    ctx.log('no full ISR at the end: no final read');
    return;
  }
  const finals = new Map<number, { highWatermark: number; logStartOffset: number }>();
  const acknowledgedEnd = acknowledgedEnds(ctx.history.ops);
  for (const partition of view) {
    // Leadership may move meanwhile (auto leader rebalance): read from whoever leads now. A
    // leader that has just taken over may not have moved its high watermark up to its
    // predecessor's yet (as in Kafka): read again until it covers every acknowledged record,
    // or until it stops moving (then what is missing is missing).
    let last: { highWatermark: number; logStartOffset: number; records: ReadRecord[]; problems: string[] } | null = null;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const read = await waitFor(async () => {
        const now = await agreedPartitions(ctx.cluster.nodes, ctx.topic, 2000);
        const leader = now?.[partition.partition]?.leader ?? -1;
        return leader >= 0 ? finalRead(ctx, ctx.cluster.node(leader), partition.partition) : null;
      }, { timeoutMs: 30_000, intervalMs: 200, description: `a final read of partition ${partition.partition}` });
      last = read;
      if (read.highWatermark >= (acknowledgedEnd.get(partition.partition) ?? 0) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    ctx.history.add({ type: 'final', t: Date.now(), partition: partition.partition, ...last });
    finals.set(partition.partition, last);
  }
  const reached = (positions: readonly number[]): boolean => view.every((p) => positions[p.partition]! >= finals.get(p.partition)!.highWatermark);
  await waitFor(() => reached(readers.cursors) && reached(consumers.processed), {
    timeoutMs: 30_000,
    intervalMs: 100,
    description: 'the consumers to reach the high watermarks',
  }).catch(() => ctx.log(`consumers stopped short: readers at ${readers.cursors.join(', ')}, ${consumers.group} at ${consumers.processed.join(', ')}`));
  await readers.stop();
  await consumers.stop();
  // Quiet now: stop every node and compare what each holds below the high watermark (I4).
  await Promise.all(ctx.cluster.nodes.map((node) => node.kill()));
  for (const partition of view) {
    const { highWatermark } = finals.get(partition.partition)!;
    const problems = compareReplicaBytes(ctx.cluster.nodes, ctx.topic, partition.partition, highWatermark);
    ctx.history.add({ type: 'replicas', t: Date.now(), partition: partition.partition, highWatermark, problems });
  }
}

/** Per partition, one past the highest acknowledged offset. */
function acknowledgedEnds(ops: readonly Op[]): Map<number, number> {
  const ends = new Map<number, number>();
  for (const op of ops) {
    if (op.type !== 'ack') continue;
    for (const offset of op.offsets) ends.set(op.partition, Math.max(ends.get(op.partition) ?? 0, offset + 1));
  }
  return ends;
}

async function finalRead(ctx: ChaosContext, leader: ServerProcess, partition: number): Promise<{ highWatermark: number; logStartOffset: number; records: ReadRecord[]; problems: string[] }> {
  const records: ReadRecord[] = [];
  const problems: string[] = [];
  let offset = 0;
  let highWatermark = -1;
  let logStartOffset = 0;
  for (let round = 0; round < 100_000; round++) {
    const answer = await fetchRecords(leader, ctx.topic, partition, offset, 5000, 1024 * 1024);
    if (answer.errorCode !== ErrorCode.NONE) throw new Error(`final read of ${partition} at ${offset} from node ${leader.nodeId}: error ${answer.errorCode}`);
    if (round === 0) {
      highWatermark = answer.highWatermark;
      logStartOffset = answer.logStartOffset;
    }
    problems.push(...answer.problems);
    const below = answer.records.filter((r) => r.offset < highWatermark);
    records.push(...below);
    const last = answer.records.at(-1);
    if (last === undefined || last.offset + 1 >= highWatermark || below.length === 0) break;
    offset = last.offset + 1;
  }
  return { highWatermark, logStartOffset, records, problems };
}

/**
 * I4 on stopped nodes: the whole, CRC-valid batches covering [0, highWatermark) are byte for
 * byte the same on every replica. What lies above the high watermark may differ.
 */
export function compareReplicaBytes(nodes: readonly Pick<ServerProcess, 'nodeId' | 'dataDir'>[], topicName: string, partition: number, highWatermark: number): string[] {
  const problems: string[] = [];
  const below = new Map<number, Buffer[]>();
  for (const node of nodes) {
    const log = readReplicaLog(node, topicName, partition);
    const batches = log.batches.filter((b) => b.baseOffset < highWatermark);
    let next = batches[0]?.baseOffset ?? 0;
    for (const batch of batches) {
      if (batch.baseOffset !== next) {
        problems.push(`node ${node.nodeId}: a batch at ${batch.baseOffset} where ${next} was due`);
        break;
      }
      next = batch.lastOffset + 1;
    }
    if (next < highWatermark) problems.push(`node ${node.nodeId}: whole batches end at ${next}, below the high watermark ${highWatermark}${log.problems.length ? ` (${log.problems.join('; ')})` : ''}`);
    below.set(node.nodeId, batches.map((b) => b.bytes));
  }
  const [first, ...rest] = nodes;
  const expected = below.get(first!.nodeId)!;
  for (const node of rest) {
    const actual = below.get(node.nodeId)!;
    const differing = actual.findIndex((bytes, i) => expected[i] === undefined || !bytes.equals(expected[i]!));
    if (differing >= 0 || actual.length !== expected.length) {
      problems.push(`node ${node.nodeId} differs from node ${first!.nodeId} from batch ${differing >= 0 ? differing : Math.min(actual.length, expected.length)}`);
    }
  }
  return problems;
}
