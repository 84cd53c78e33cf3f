import { anomalyKinds, type AnomalyKind, type Verdict } from './checker.js';
import type { Op } from './history.js';

/** Nearest-rank percentile of `values` (null when there are none). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Figures {
  readonly faults: Record<string, number>;
  /** Failover after a kill -9 of a partition leader (kill-leader, kill-controller, torn-tail), ms. */
  readonly leaderKillFailover: { p50: number | null; p99: number | null; n: number; missing: number; goalMs: number };
  readonly controllerFailover: { p50: number | null; p99: number | null; n: number; missing: number; goalMs: number };
  readonly heal: { p50: number | null; p99: number | null; max: number | null; n: number };
}

const leaderKillKinds = new Set(['kill-leader', 'kill-controller', 'torn-tail']);

export function figures(ops: readonly Op[]): Figures {
  const faults: Record<string, number> = {};
  const leaderKill: number[] = [];
  const controller: number[] = [];
  const heal: number[] = [];
  let leaderMissing = 0;
  let controllerMissing = 0;
  const meta = ops.find((op) => op.type === 'meta');
  const sessionMs = meta?.type === 'meta' ? Number(meta.properties['broker.session.timeout.ms'] ?? 9000) : 9000;
  // The plan's goal for a hard partition failover: the session timeout + 3 s.
  const goalMs = sessionMs + 3000;
  for (const op of ops) {
    if (op.type === 'fault') faults[op.kind] = (faults[op.kind] ?? 0) + 1;
    if (op.type !== 'measure') continue;
    if (op.name === 'failover' && leaderKillKinds.has(op.kind)) {
      if (op.ms === null) leaderMissing++;
      else leaderKill.push(op.ms);
    } else if (op.name === 'controller-failover') {
      if (op.ms === null) controllerMissing++;
      else controller.push(op.ms);
    } else if (op.name === 'heal' && op.ms !== null) {
      heal.push(op.ms);
    }
  }
  return {
    faults,
    leaderKillFailover: { p50: percentile(leaderKill, 50), p99: percentile(leaderKill, 99), n: leaderKill.length, missing: leaderMissing, goalMs },
    controllerFailover: { p50: percentile(controller, 50), p99: percentile(controller, 99), n: controller.length, missing: controllerMissing, goalMs: 4000 },
    heal: { p50: percentile(heal, 50), p99: percentile(heal, 99), max: heal.length ? Math.max(...heal) : null, n: heal.length },
  };
}

const ms = (value: number | null): string => (value === null ? '-' : `${(value / 1000).toFixed(2)} s`);

/** The table `pnpm chaos` prints, and the CI test logs. */
export function formatSummary(input: {
  seed: number;
  cycles: number;
  network: string;
  wallMs: number;
  ops: readonly Op[];
  verdict: Verdict;
  runDir: string | null;
}): string {
  const { verdict, ops } = input;
  const f = figures(ops);
  const perKind = new Map<string, { failover: number[]; never: number; heal: number[] }>();
  for (const op of ops) {
    if (op.type !== 'measure') continue;
    const entry = perKind.get(op.kind) ?? { failover: [], never: 0, heal: [] };
    perKind.set(op.kind, entry);
    if (op.name === 'failover' && op.ms === null) entry.never++;
    if (op.ms === null) continue;
    if (op.name === 'heal') entry.heal.push(op.ms);
    else if (op.name === 'failover') entry.failover.push(op.ms);
  }
  const lines: string[] = [];
  lines.push(`chaos run: seed ${input.seed}, ${input.cycles} cycles, network ${input.network}, ${(input.wallMs / 1000).toFixed(0)} s wall: ${verdict.ok ? 'PASS' : 'FAIL'}`);
  lines.push('');
  lines.push(`${'fault'.padEnd(18)}${'count'.padStart(6)}${'failover p50'.padStart(14)}${'p99'.padStart(9)}${'none'.padStart(6)}${'heal p50'.padStart(10)}${'p99'.padStart(9)}`);
  for (const kind of Object.keys(f.faults).sort()) {
    const entry = perKind.get(kind) ?? { failover: [], never: 0, heal: [] };
    lines.push(
      `${kind.padEnd(18)}${String(f.faults[kind]).padStart(6)}${ms(percentile(entry.failover, 50)).padStart(14)}${ms(percentile(entry.failover, 99)).padStart(9)}` +
        `${String(entry.never || '').padStart(6)}${ms(percentile(entry.heal, 50)).padStart(10)}${ms(percentile(entry.heal, 99)).padStart(9)}`,
    );
  }
  lines.push('(failover: the first acknowledged acks=all write on every partition the victim led; none: not within the fault)');
  lines.push('');
  const s = verdict.stats;
  const c = verdict.counts;
  lines.push(`records: ${s.attempted} sent, ${s.acknowledged} acknowledged, ${s.definitelyFailed} refused, ${s.indefinite} indefinite; final read ${s.finalRecords}; consumers read ${s.polled}`);
  lines.push(`lost ${c.lost + c.moved}, duplicated ${c.duplicate}, inconsistent offsets ${c['inconsistent-offset']}, corrupt ${c.corrupt}, holes ${c.hole}, unseen ${c.unseen}, replica divergences ${c['replica-divergence']}`);
  const lk = f.leaderKillFailover;
  const cf = f.controllerFailover;
  lines.push(`leader kill -9 failover: p50 ${ms(lk.p50)}, p99 ${ms(lk.p99)} over ${lk.n}${lk.missing ? ` (+${lk.missing} never)` : ''} (goal p99 ≤ ${ms(lk.goalMs)})`);
  lines.push(`controller failover:     p50 ${ms(cf.p50)}, p99 ${ms(cf.p99)} over ${cf.n}${cf.missing ? ` (+${cf.missing} never)` : ''} (goal p99 ≤ ${ms(cf.goalMs)})`);
  lines.push(`time to heal:            p50 ${ms(f.heal.p50)}, p99 ${ms(f.heal.p99)}, max ${ms(f.heal.max)} over ${f.heal.n} heals`);
  const found = (Object.keys(anomalyKinds) as AnomalyKind[]).filter((k) => c[k] > 0);
  lines.push('');
  lines.push(found.length === 0 ? 'anomalies: none' : `anomalies: ${found.map((k) => `${k} (${anomalyKinds[k]}) ×${c[k]}`).join(', ')}`);
  for (const anomaly of verdict.anomalies.slice(0, 40)) lines.push(`  ${anomaly.kind}${anomaly.partition === null ? '' : ` p${anomaly.partition}`}: ${anomaly.detail}`);
  if (input.runDir !== null) lines.push(`history kept in ${input.runDir} (replay the check: pnpm chaos --check ${input.runDir})`);
  return lines.join('\n');
}
