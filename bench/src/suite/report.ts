import type { RunResult, SystemRun } from './compare.js';
import type { Percentiles } from './phases.js';

const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const ms = (p: Percentiles): string => `${fixed(p.p50)}/${fixed(p.p99)}/${fixed(p.p999)}`;
const perNode = (values: readonly number[], digits: number): string => values.map((v) => fixed(v, digits)).join('/');

/** Prints a table with a title; columns are as wide as their widest cell. */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
}

/** The system each one is compared with: Rill against NATS with the same number of nodes. */
export function peerOf(system: string): string | null {
  if (system === 'rill-1') return 'nats-1';
  if (system === 'rill-3') return 'nats-3';
  return null;
}

function find(runs: readonly SystemRun[], system: string, workload: string): RunResult | undefined {
  return runs.find((r) => r.system === system)?.results.find((r) => r.workload === workload);
}

const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !(b > 0) ? '-' : `${fixed(a / b, 2)}×`;

export function printComparison(runs: readonly SystemRun[]): void {
  const all = runs.flatMap((run) => run.results);
  const workloads = [...new Set(all.map((r) => r.workload))];
  const ordered = workloads.flatMap((w) => all.filter((r) => r.workload === w));
  printTable(
    'Max-rate produce, then the backlog read from the start (MB/s of record values; ack = one send() call)',
    ['workload', 'system', 'produce MB/s', 'k rec/s', 'vs NATS', 'ack ms p50/p99/p999', 'server CPU ms/MB', 'consume MB/s', 'vs NATS', 'server cores prod | cons', 'RSS max MB'],
    ordered.map((r) => {
      const peer = peerOf(r.system);
      const base = peer === null ? undefined : find(runs, peer, r.workload);
      return [
        r.workload,
        r.system,
        fixed(r.produce.MBps),
        fixed(r.produce.recordsPerSecond / 1000, 0),
        ratio(r.produce.MBps, base?.produce.MBps),
        ms(r.produce.ackLatencyMs),
        fixed(r.produce.serverCpuMsPerMB, 1),
        fixed(r.consume.MBps),
        ratio(r.consume.MBps, base?.consume.MBps),
        `${perNode(r.serverCores.produce, 2)} | ${perNode(r.serverCores.consume, 2)}`,
        perNode(r.serverRssMaxMB, 0),
      ];
    }),
  );
  const paced = ordered.filter((r) => r.fixedRate !== null);
  if (paced.length > 0) printTable(
    `Fixed rate, ${paced[0]!.fixedRate!.ratePerSecond} records/s, one record per send(), a consumer reading live`,
    ['workload', 'system', 'achieved rec/s', 'publish-ack ms p50/p99/p999', 'end-to-end ms p50/p99/p999', 'e2e p99 vs NATS', 'server cores'],
    paced.map((r) => {
      const peer = peerOf(r.system);
      const base = peer === null ? undefined : find(runs, peer, r.workload);
      return [
        r.workload,
        r.system,
        fixed(r.fixedRate!.achievedPerSecond, 0),
        ms(r.fixedRate!.ackLatencyMs),
        ms(r.fixedRate!.endToEndLatencyMs),
        ratio(r.fixedRate!.endToEndLatencyMs.p99, base?.fixedRate?.endToEndLatencyMs.p99),
        perNode(r.serverCores.fixedRate, 2),
      ];
    }),
  );
  const failed = runs.flatMap((run) => run.rounds.flat().filter((r) => r.error !== undefined));
  if (failed.length > 0) {
    printTable('Runs that failed (left out of the medians above)', ['workload', 'system', 'error'], failed.map((r) => [r.workload, r.system, r.error!]));
  }
  printTable(
    'Servers over the whole run',
    ['system', 'what runs', 'peak RSS MB per node (VmHWM)'],
    runs.map((run) => [run.system, run.description, perNode(run.serverPeakRssMB, 0)]),
  );
}

export interface Goal {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | null;
}

/** Issue 10's targets, judged on this run's figures (null: a system it needs did not run). */
export function judgeGoals(runs: readonly SystemRun[]): Goal[] {
  const goals: Goal[] = [];
  const kib = (n: number): string => (n === 1 ? '1 KiB records, 1 partition' : '1 KiB records, 8 partitions');
  for (const partitions of [1, 8]) {
    const rill = find(runs, 'rill-3', kib(partitions));
    const nats = find(runs, 'nats-3', kib(partitions));
    const r = rill && nats ? rill.produce.MBps / nats.produce.MBps : null;
    goals.push({
      goal: `3 nodes, 1 KiB, ${partitions} partition${partitions > 1 ? 's' : ''}: produce >= 5 × NATS R3`,
      measured: r === null ? 'not run' : `${fixed(r, 2)}× (${fixed(rill!.produce.MBps)} vs ${fixed(nats!.produce.MBps)} MB/s)`,
      met: r === null ? null : r >= 5,
    });
    const e2e = rill?.fixedRate?.endToEndLatencyMs.p99;
    const peerE2e = nats?.fixedRate?.endToEndLatencyMs.p99;
    goals.push({
      goal: `3 nodes, 1 KiB, ${partitions} partition${partitions > 1 ? 's' : ''}: end-to-end p99 at 5,000 rec/s <= NATS R3 and <= 10 ms`,
      measured: e2e === undefined || peerE2e === undefined ? 'not run' : `${fixed(e2e)} ms vs ${fixed(peerE2e)} ms (${fixed(e2e / peerE2e, 2)}×)`,
      met: e2e === undefined || peerE2e === undefined ? null : e2e <= peerE2e && e2e <= 10,
    });
  }
  const single = [1, 8].map((p) => find(runs, 'rill-1', kib(p))).filter((r) => r !== undefined);
  if (single.length > 0) {
    const produce = Math.max(...single.map((r) => r.produce.MBps));
    const consume = Math.max(...single.map((r) => r.consume.MBps));
    goals.push({ goal: 'single node, 1 KiB: produce >= 300 MB/s (bundled client)', measured: `${fixed(produce)} MB/s (best of 1 and 8 partitions)`, met: produce >= 300 });
    goals.push({ goal: 'single node, 1 KiB: consume >= 500 MB/s from the page cache', measured: `${fixed(consume)} MB/s (best of 1 and 8 partitions)`, met: consume >= 500 });
  }
  const rill = runs.filter((r) => r.system.startsWith('rill'));
  if (rill.length > 0) {
    const peak = Math.max(...rill.flatMap((r) => r.serverPeakRssMB));
    goals.push({ goal: 'each Rill node RSS <= 300 MB throughout', measured: `${fixed(peak, 0)} MB peak`, met: peak <= 300 });
  }
  return goals;
}

export function printGoals(goals: readonly Goal[]): void {
  printTable(
    'Issue 10 goals, on this run',
    ['goal', 'measured', 'met'],
    goals.map((g) => [g.goal, g.measured, g.met === null ? '-' : g.met ? 'yes' : 'no']),
  );
}
