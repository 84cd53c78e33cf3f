import { truncateSync, writeFileSync } from 'node:fs';
import type { SeededRandom } from '@rill/base';
import { fillDisk, freeDisk, hasCommand, injectFsyncErrors, waitFor, type FaultyCluster, type ServerProcess, type SyscallFault } from '@rill/testkit';
import { readReplicaLog, segmentFiles } from '../replication/support/replica-logs.js';
import type { History } from './history.js';
import { agreedPartitions, metricValue, scrape, type PartitionState } from './wire.js';
import type { Prober } from './workload.js';

/**
 * The nemesis: fault kinds from the reliability plan's matrix, each a function that picks
 * its targets with the run's seeded random source, injects the fault, measures what the
 * plan asks (failover times), and heals it. The seed fixes the sequence of kinds, delays
 * and choices; which node holds a role at that moment is up to the cluster.
 */

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ChaosContext {
  readonly cluster: FaultyCluster;
  readonly history: History;
  readonly prober: Prober;
  readonly rng: SeededRandom;
  readonly topic: string;
  readonly partitions: number;
  readonly sessionTimeoutMs: number;
  readonly replicaLagMs: number;
  /** Nodes the nemesis has stopped with SIGSTOP. */
  readonly paused: Set<number>;
  /** Nodes the nemesis has killed and not yet restarted. */
  readonly down: Set<number>;
  /** Nodes that may exit on their own during this fault (a disk fault may be fatal by design). */
  readonly mayExit: Set<number>;
  /** Where clients of other groups live (the coordinator fault), if any. */
  readonly coordinatorOf?: () => Promise<number | null>;
  log(line: string): void;
}

export interface Fault {
  readonly kind: string;
  readonly weight: number;
  /** Whether this machine can inject it (root, tools). */
  available(ctx: ChaosContext): boolean;
  /** Injects the fault and heals it; returns when the heal action is done. */
  run(ctx: ChaosContext, cycle: number): Promise<void>;
}

export function reachable(ctx: ChaosContext): ServerProcess[] {
  return ctx.cluster.running().filter((n) => !ctx.paused.has(n.nodeId));
}

export async function currentView(ctx: ChaosContext): Promise<PartitionState[]> {
  return waitFor(() => agreedPartitions(reachable(ctx), ctx.topic, 1500), { timeoutMs: 20_000, intervalMs: 100, description: 'an agreed view of the partitions' });
}

function pick<T>(rng: SeededRandom, items: readonly T[]): T {
  if (items.length === 0) throw new Error('nothing to pick from');
  return items[rng.between(0, items.length - 1)]!;
}

function record(ctx: ChaosContext, cycle: number, kind: string, type: 'fault' | 'heal', detail: string): void {
  ctx.history.add({ type, t: Date.now(), cycle, kind, detail });
  ctx.log(`cycle ${cycle} ${kind}: ${type === 'fault' ? '' : 'heal: '}${detail}`);
}

async function kill(ctx: ChaosContext, node: ServerProcess): Promise<void> {
  ctx.down.add(node.nodeId);
  ctx.paused.delete(node.nodeId);
  await node.signal('SIGCONT');
  await node.kill();
}

/** Restarts a node the nemesis stopped (or that exited), retrying once if it does not become ready. */
export async function restart(ctx: ChaosContext, node: ServerProcess): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (node.running) await node.kill();
      await node.restart();
      ctx.down.delete(node.nodeId);
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      ctx.log(`node ${node.nodeId} did not restart (${(error as Error).message.split('\n')[0]}); again`);
      await pause(1000);
    }
  }
}

function stop(ctx: ChaosContext, node: ServerProcess): Promise<unknown> {
  ctx.paused.add(node.nodeId);
  return node.signal('SIGSTOP');
}

function resume(ctx: ChaosContext, node: ServerProcess): Promise<unknown> {
  ctx.paused.delete(node.nodeId);
  return node.signal('SIGCONT');
}

/**
 * Failover time as the plan defines it: from the fault until the first acknowledged acks=all
 * write (sent after the fault) on every partition the victim led. Recorded for the summary.
 */
async function measureFailover(ctx: ChaosContext, cycle: number, kind: string, affected: readonly number[], since: number, budgetMs: number, timeoutMs = budgetMs + 15_000): Promise<void> {
  if (affected.length === 0) return;
  const ms = await waitFor(
    () => {
      const times = ctx.prober.writableAfter(affected, since);
      return times.every((t) => t !== null) ? Math.max(...(times as number[])) : null;
    },
    { timeoutMs, intervalMs: 20, description: 'failover' },
  ).catch(() => null);
  ctx.history.add({ type: 'measure', t: Date.now(), cycle, kind, name: 'failover', ms, budgetMs });
  ctx.log(`cycle ${cycle} ${kind}: partitions ${affected.join(',')} took writes again after ${ms ?? 'never'} ms`);
}

/** Which node is the active controller, by its metrics. */
async function activeController(among: readonly ServerProcess[]): Promise<number | null> {
  for (const node of among) {
    const text = await scrape(node, 1000);
    if (text !== null && metricValue(text, 'rill_controller_active') === 1) return node.nodeId;
  }
  return null;
}

/** Controller failover: from the kill until a surviving node reports itself the active controller. */
async function measureControllerFailover(ctx: ChaosContext, cycle: number, kind: string, victim: number, since: number): Promise<void> {
  const budgetMs = 4000;
  const ms = await waitFor(
    async () => {
      const survivors = reachable(ctx).filter((n) => n.nodeId !== victim);
      const results = await Promise.all(survivors.map((n) => scrape(n, 500)));
      return results.some((text) => text !== null && metricValue(text, 'rill_controller_active') === 1) ? Date.now() - since : null;
    },
    { timeoutMs: 20_000, intervalMs: 25, description: 'a new active controller' },
  ).catch(() => null);
  ctx.history.add({ type: 'measure', t: Date.now(), cycle, kind, name: 'controller-failover', ms, budgetMs });
  ctx.log(`cycle ${cycle} ${kind}: a new active controller after ${ms ?? 'never'} ms`);
}

const ledBy = (view: readonly PartitionState[], nodeId: number): number[] => view.filter((p) => p.leader === nodeId).map((p) => p.partition);

/** A seeded pick of a partition, then of one of its followers (which may lead other partitions). */
async function pickFollower(ctx: ChaosContext): Promise<{ victim: ServerProcess; partition: number }> {
  const view = await currentView(ctx);
  const partition = pick(ctx.rng, view);
  const victim = ctx.cluster.node(pick(ctx.rng, partition.replicas.filter((r) => r !== partition.leader)));
  return { victim, partition: partition.partition };
}

/** F1: kill -9 a partition leader; restart it 0–1.5 s after its partitions have failed over. */
const killLeader: Fault = {
  kind: 'kill-leader',
  weight: 4,
  available: () => true,
  async run(ctx, cycle) {
    const view = await currentView(ctx);
    const victim = ctx.cluster.node(pick(ctx.rng, view).leader);
    const affected = ledBy(view, victim.nodeId);
    const delayMs = ctx.rng.between(0, 1000);
    record(ctx, cycle, this.kind, 'fault', `kill -9 node ${victim.nodeId} (leads ${affected.join(',')})`);
    const since = Date.now();
    await kill(ctx, victim);
    await measureFailover(ctx, cycle, this.kind, affected, since, ctx.sessionTimeoutMs + 3000);
    await pause(delayMs);
    record(ctx, cycle, this.kind, 'heal', `restart node ${victim.nodeId}`);
    await restart(ctx, victim);
  },
};

/** F2: kill -9 a follower of a partition (it may lead others), restart it 0–3 s later. */
const killFollower: Fault = {
  kind: 'kill-follower',
  weight: 2,
  available: () => true,
  async run(ctx, cycle) {
    const { victim, partition } = await pickFollower(ctx);
    const delayMs = ctx.rng.between(0, 2000);
    record(ctx, cycle, this.kind, 'fault', `kill -9 node ${victim.nodeId} (follower of ${partition})`);
    await kill(ctx, victim);
    await pause(delayMs);
    record(ctx, cycle, this.kind, 'heal', `restart node ${victim.nodeId}`);
    await restart(ctx, victim);
  },
};

/** F3: kill -9 the active controller (the Raft leader); restart it once a new one is active. */
const killController: Fault = {
  kind: 'kill-controller',
  weight: 3,
  available: () => true,
  async run(ctx, cycle) {
    const view = await currentView(ctx);
    const id = await waitFor(() => activeController(reachable(ctx)), { timeoutMs: 10_000, description: 'the active controller' });
    const victim = ctx.cluster.node(id);
    const affected = ledBy(view, id);
    record(ctx, cycle, this.kind, 'fault', `kill -9 node ${id}, the active controller (leads ${affected.join(',')})`);
    const since = Date.now();
    await kill(ctx, victim);
    await Promise.all([
      measureControllerFailover(ctx, cycle, this.kind, id, since),
      measureFailover(ctx, cycle, this.kind, affected, since, ctx.sessionTimeoutMs + 3000),
    ]);
    await pause(ctx.rng.between(0, 1000));
    record(ctx, cycle, this.kind, 'heal', `restart node ${id}`);
    await restart(ctx, victim);
  },
};

/** F5: SIGSTOP a leader past the session timeout (a zombie leader), then SIGCONT. */
const pauseLeader: Fault = {
  kind: 'pause-leader',
  weight: 3,
  available: () => true,
  async run(ctx, cycle) {
    const view = await currentView(ctx);
    const victim = ctx.cluster.node(pick(ctx.rng, view).leader);
    const affected = ledBy(view, victim.nodeId);
    // Long enough to see the partitions fail over (the goal: session timeout + 3 s).
    const holdMs = ctx.sessionTimeoutMs + ctx.rng.between(2000, 3000);
    record(ctx, cycle, this.kind, 'fault', `SIGSTOP node ${victim.nodeId} for ${holdMs} ms (leads ${affected.join(',')})`);
    const since = Date.now();
    await stop(ctx, victim);
    await Promise.all([measureFailover(ctx, cycle, this.kind, affected, since, ctx.sessionTimeoutMs + 3000, holdMs), pause(holdMs)]);
    record(ctx, cycle, this.kind, 'heal', `SIGCONT node ${victim.nodeId}`);
    await resume(ctx, victim);
  },
};

/** F6: SIGSTOP a follower past replica.lag.time.max.ms; writes go on with the ISR shrunk. */
const pauseFollower: Fault = {
  kind: 'pause-follower',
  weight: 2,
  available: () => true,
  async run(ctx, cycle) {
    const { victim, partition } = await pickFollower(ctx);
    const holdMs = ctx.replicaLagMs + ctx.rng.between(500, 1500);
    record(ctx, cycle, this.kind, 'fault', `SIGSTOP node ${victim.nodeId} for ${holdMs} ms (follower of ${partition})`);
    await stop(ctx, victim);
    await pause(holdMs);
    record(ctx, cycle, this.kind, 'heal', `SIGCONT node ${victim.nodeId}`);
    await resume(ctx, victim);
  },
};

/** F8/F9: cut a leader off from both other nodes (clients still reach it), past the session timeout. */
const isolateLeader: Fault = {
  kind: 'isolate-leader',
  weight: 3,
  available: () => true,
  async run(ctx, cycle) {
    const view = await currentView(ctx);
    const victim = pick(ctx.rng, view).leader;
    const affected = ledBy(view, victim);
    const others = ctx.cluster.nodes.map((n) => n.nodeId).filter((id) => id !== victim);
    // Long enough to see the partitions fail over (the goal: session timeout + 3 s).
    const holdMs = ctx.sessionTimeoutMs + ctx.rng.between(2000, 3000);
    record(ctx, cycle, this.kind, 'fault', `isolate node ${victim} from ${others.join(',')} for ${holdMs} ms (leads ${affected.join(',')})`);
    const since = Date.now();
    for (const other of others) {
      await ctx.cluster.network.block(victim, other);
      await ctx.cluster.network.block(other, victim);
    }
    await Promise.all([measureFailover(ctx, cycle, this.kind, affected, since, ctx.sessionTimeoutMs + 3000, holdMs), pause(holdMs)]);
    record(ctx, cycle, this.kind, 'heal', `reconnect node ${victim}`);
    await ctx.cluster.network.heal();
  },
};

/** F13: one direction of one link drops everything (a → b), the other direction works. */
const oneWay: Fault = {
  kind: 'one-way',
  weight: 2,
  available: () => true,
  async run(ctx, cycle) {
    const ids = ctx.cluster.nodes.map((n) => n.nodeId);
    const from = pick(ctx.rng, ids);
    const to = pick(ctx.rng, ids.filter((id) => id !== from));
    const holdMs = ctx.rng.between(2000, ctx.sessionTimeoutMs + 1000);
    record(ctx, cycle, this.kind, 'fault', `drop node ${from} → node ${to} for ${holdMs} ms`);
    await ctx.cluster.network.block(from, to);
    await pause(holdMs);
    record(ctx, cycle, this.kind, 'heal', `restore node ${from} → node ${to}`);
    await ctx.cluster.network.heal();
  },
};

/** F12: a bridge: two nodes cannot reach each other, the third reaches both. */
const bridge: Fault = {
  kind: 'bridge',
  weight: 1,
  available: () => true,
  async run(ctx, cycle) {
    const ids = ctx.cluster.nodes.map((n) => n.nodeId);
    const middle = pick(ctx.rng, ids);
    const [a, b] = ids.filter((id) => id !== middle) as [number, number];
    const holdMs = ctx.rng.between(2000, ctx.sessionTimeoutMs + 1000);
    record(ctx, cycle, this.kind, 'fault', `cut node ${a} ↔ node ${b} (node ${middle} sees both) for ${holdMs} ms`);
    await ctx.cluster.network.block(a, b);
    await ctx.cluster.network.block(b, a);
    await pause(holdMs);
    record(ctx, cycle, this.kind, 'heal', `reconnect node ${a} ↔ node ${b}`);
    await ctx.cluster.network.heal();
  },
};

/** F14: flapping: random links cut and restored every 0.2–1 s for a few seconds. */
const flap: Fault = {
  kind: 'flap',
  weight: 2,
  available: () => true,
  async run(ctx, cycle) {
    const ids = ctx.cluster.nodes.map((n) => n.nodeId);
    const untilMs = Date.now() + ctx.rng.between(3000, 5000);
    let flips = 0;
    record(ctx, cycle, this.kind, 'fault', `flapping links for ${untilMs - Date.now()} ms`);
    while (Date.now() < untilMs) {
      const from = pick(ctx.rng, ids);
      const to = pick(ctx.rng, ids.filter((id) => id !== from));
      const isBlocked = ctx.cluster.network.blocked().some(([f, t]) => f === from && t === to);
      if (isBlocked) await ctx.cluster.network.unblock(from, to);
      else await ctx.cluster.network.block(from, to);
      if (ctx.rng.next() < 0.5) {
        if (isBlocked) await ctx.cluster.network.unblock(to, from);
        else await ctx.cluster.network.block(to, from);
      }
      flips++;
      await pause(ctx.rng.between(200, 1000));
    }
    record(ctx, cycle, this.kind, 'heal', `restore every link after ${flips} flips`);
    await ctx.cluster.network.heal();
  },
};

/** F10: client connections to a leader cut right after their request went through (retries must not duplicate). */
const cutClients: Fault = {
  kind: 'cut-client',
  weight: 2,
  available: () => true,
  async run(ctx, cycle) {
    const view = await currentView(ctx);
    const victim = pick(ctx.rng, view).leader;
    const cuts = ctx.rng.between(3, 10);
    const proxy = ctx.cluster.clientProxy(victim);
    const before = proxy.stats.cuts;
    record(ctx, cycle, this.kind, 'fault', `cut the next ${cuts} client requests to node ${victim} after they are sent`);
    proxy.cutAfterNextRequests(cuts);
    await waitFor(() => proxy.stats.cuts - before >= cuts, { timeoutMs: 5000, intervalMs: 20, description: 'the cuts' }).catch(() => undefined);
    proxy.cutAfterNextRequests(0);
    record(ctx, cycle, this.kind, 'heal', `${proxy.stats.cuts - before} connections cut`);
  },
};

/** F20: kill -9 a leader, tear the tail of one of its partitions' active segment, restart. */
const tornTail: Fault = {
  kind: 'torn-tail',
  weight: 2,
  available: () => true,
  async run(ctx, cycle) {
    const view = await currentView(ctx);
    const victim = ctx.cluster.node(pick(ctx.rng, view).leader);
    const affected = ledBy(view, victim.nodeId);
    const partition = pick(ctx.rng, view.filter((p) => p.replicas.includes(victim.nodeId))).partition;
    record(ctx, cycle, this.kind, 'fault', `kill -9 node ${victim.nodeId} (leads ${affected.join(',')}) and tear partition ${partition}`);
    const since = Date.now();
    await kill(ctx, victim);
    const detail = tearTail(ctx, victim, partition);
    ctx.log(`cycle ${cycle} ${this.kind}: ${detail}`);
    await measureFailover(ctx, cycle, this.kind, affected, since, ctx.sessionTimeoutMs + 3000);
    record(ctx, cycle, this.kind, 'heal', `restart node ${victim.nodeId} (${detail})`);
    await restart(ctx, victim);
  },
};

/** Cuts the last batch of the active segment somewhere inside it, or appends half a batch of noise. */
function tearTail(ctx: ChaosContext, node: ServerProcess, partition: number): string {
  const files = segmentFiles(node, ctx.topic, partition);
  const active = files.at(-1);
  const last = readReplicaLog(node, ctx.topic, partition).batches.filter((b) => b.file === active).at(-1);
  if (active === undefined || last === undefined) return `partition ${partition} has no batch to tear`;
  if (ctx.rng.next() < 0.3) {
    const noise = Buffer.from(Array.from({ length: ctx.rng.between(1, 60) }, () => ctx.rng.between(0, 255)));
    writeFileSync(active, noise, { flag: 'a' });
    return `appended ${noise.length} bytes of noise after offset ${last.lastOffset}`;
  }
  const keep = ctx.rng.between(1, last.bytes.length - 1);
  truncateSync(active, last.position + keep);
  return `cut the batch at offsets ${last.baseOffset}..${last.lastOffset} after ${keep} of ${last.bytes.length} bytes`;
}

/** F19: kill a leader, then the new leader as soon as it is elected; restart both. */
const doubleFailover: Fault = {
  kind: 'double-failover',
  weight: 1,
  available: () => true,
  async run(ctx, cycle) {
    const view = await currentView(ctx);
    const partition = pick(ctx.rng, view);
    const first = ctx.cluster.node(partition.leader);
    record(ctx, cycle, this.kind, 'fault', `kill -9 node ${first.nodeId}, leader of ${partition.partition}, then its successor`);
    await kill(ctx, first);
    const successor = await waitFor(
      async () => {
        const next = await agreedPartitions(reachable(ctx), ctx.topic, 1000);
        const leader = next?.[partition.partition]?.leader ?? -1;
        return leader >= 0 && leader !== first.nodeId ? leader : null;
      },
      { timeoutMs: ctx.sessionTimeoutMs + 10_000, intervalMs: 20, description: `a new leader of ${partition.partition}` },
    ).catch(() => null);
    if (successor !== null) {
      ctx.log(`cycle ${cycle} ${this.kind}: node ${successor} took over; killing it too`);
      await kill(ctx, ctx.cluster.node(successor));
    }
    await pause(ctx.rng.between(200, 1500));
    record(ctx, cycle, this.kind, 'heal', `restart node ${first.nodeId}${successor !== null ? ` and node ${successor}` : ''}`);
    await restart(ctx, first);
    if (successor !== null) await restart(ctx, ctx.cluster.node(successor));
  },
};

/** F25: a leader's disk fills up (its log dir is a small tmpfs); freed after a few seconds. */
const diskFull: Fault = {
  kind: 'disk-full',
  weight: 1,
  available: (ctx) => ctx.cluster.usesTmpfs,
  async run(ctx, cycle) {
    const view = await currentView(ctx);
    const victim = ctx.cluster.node(pick(ctx.rng, view).leader);
    const affected = ledBy(view, victim.nodeId);
    const holdMs = ctx.rng.between(3000, 5000);
    ctx.mayExit.add(victim.nodeId);
    const filled = fillDisk(victim.dataDir);
    record(ctx, cycle, this.kind, 'fault', `fill node ${victim.nodeId}'s disk (${Math.round(filled / 1024 / 1024)} MiB) for ${holdMs} ms (leads ${affected.join(',')})`);
    await pause(holdMs);
    freeDisk(victim.dataDir);
    record(ctx, cycle, this.kind, 'heal', `free node ${victim.nodeId}'s disk`);
    await restartIfExited(ctx, victim);
  },
};

/** F27: fsync and fdatasync fail with EIO on a leader for a few seconds (fsyncgate). */
const fsyncErrors: Fault = {
  kind: 'fsync-eio',
  weight: 1,
  available: () => hasCommand('strace'),
  async run(ctx, cycle) {
    const view = await currentView(ctx);
    const victim = ctx.cluster.node(pick(ctx.rng, view).leader);
    const holdMs = ctx.rng.between(2000, 4000);
    ctx.mayExit.add(victim.nodeId);
    record(ctx, cycle, this.kind, 'fault', `fsync fails with EIO on node ${victim.nodeId} for ${holdMs} ms`);
    let fault: SyscallFault;
    try {
      fault = await injectFsyncErrors(victim.pid!);
    } catch (error) {
      // No ptrace rights here (a hardened CI runner): the cycle becomes a quiet one.
      record(ctx, cycle, this.kind, 'heal', `not injected: ${(error as Error).message.split('\n')[0]}`);
      ctx.mayExit.delete(victim.nodeId);
      return;
    }
    await pause(holdMs);
    await fault.stop();
    record(ctx, cycle, this.kind, 'heal', `strace detached from node ${victim.nodeId} after ${fault.injected} failed calls`);
    await restartIfExited(ctx, victim);
  },
};

/** After a disk fault a node may have stopped itself (as it should rather than ack unpersisted data): start it again. */
async function restartIfExited(ctx: ChaosContext, node: ServerProcess): Promise<void> {
  await pause(200);
  if (!node.running) {
    ctx.log(`node ${node.nodeId} exited during the disk fault; restarting it`);
    await restart(ctx, node);
  }
  ctx.mayExit.delete(node.nodeId);
}

/** F30: kill -9 the group coordinator during commits and rebalances. */
const killCoordinator: Fault = {
  kind: 'kill-coordinator',
  weight: 2,
  available: (ctx) => ctx.coordinatorOf !== undefined,
  async run(ctx, cycle) {
    const id = await waitFor(() => ctx.coordinatorOf!(), { timeoutMs: 10_000, description: 'the group coordinator' });
    const victim = ctx.cluster.node(id);
    record(ctx, cycle, this.kind, 'fault', `kill -9 node ${id}, the group coordinator`);
    await kill(ctx, victim);
    await pause(ctx.sessionTimeoutMs + ctx.rng.between(0, 1500));
    record(ctx, cycle, this.kind, 'heal', `restart node ${id}`);
    await restart(ctx, victim);
  },
};

export const allFaults: readonly Fault[] = [
  killLeader,
  killFollower,
  killController,
  killCoordinator,
  pauseLeader,
  pauseFollower,
  isolateLeader,
  oneWay,
  bridge,
  flap,
  cutClients,
  tornTail,
  doubleFailover,
  diskFull,
  fsyncErrors,
];

/**
 * The fault of each cycle, from the seeded source: every available kind once, in a shuffled
 * order, then draws by weight.
 */
export function schedule(rng: SeededRandom, faults: readonly Fault[], cycles: number): Fault[] {
  const firstRound = [...faults];
  for (let i = firstRound.length - 1; i > 0; i--) {
    const j = rng.between(0, i);
    [firstRound[i], firstRound[j]] = [firstRound[j]!, firstRound[i]!];
  }
  const total = faults.reduce((sum, f) => sum + f.weight, 0);
  return Array.from({ length: cycles }, (_, cycle) => {
    if (cycle < firstRound.length) return firstRound[cycle]!;
    let roll = rng.next() * total;
    for (const fault of faults) {
      roll -= fault.weight;
      if (roll < 0) return fault;
    }
    return faults.at(-1)!;
  });
}
