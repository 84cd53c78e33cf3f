import { parseRecordId, type Op, type ReadRecord } from './history.js';

/**
 * The checker of a chaos run: a pure function of the history. Each anomaly names the
 * invariant of the reliability plan it breaks:
 * - I1 `lost`, `moved`, `corrupt`: an acknowledged record must be in the final read, once,
 *   at its acknowledged offset, with the bytes that were sent;
 * - I2 `hole`: the final read is dense from the log start to the high watermark;
 * - I3 `inconsistent-offset`: one record per (partition, offset) across acks, polls and the final read;
 * - I4 `replica-divergence`: replicas hold the same bytes below the high watermark;
 * - I5 `duplicate`, `nonmonotonic-send`: with idempotence a record is written once, and one
 *   producer's acknowledged offsets follow its send order;
 * - I6 `aborted-read`, `vanished`: nothing whose write definitely failed is ever read, and
 *   nothing a consumer read later disappears;
 * - I7 `nonmonotonic-poll`, `poll-skip`: a consumer's offsets are contiguous and increasing;
 * - I8 `commit-regression`: committed group offsets never go backwards;
 * - I12 `bad-read`: no byte that fails its CRC is served;
 * - I14 `crash`: no node dies on its own;
 * - I15 `unavailable`, `unseen`: after each heal every partition takes writes within the
 *   budget, and by the end consumers have seen every acknowledged record (failover times
 *   are figures to report against their goals, not anomalies);
 * - `phantom`: a record nobody sent.
 * I11 (a fenced leader acknowledges nothing) and I13 (nothing acknowledged that could not be
 * persisted) show up as I1 and I3 anomalies.
 */
export const anomalyKinds = {
  'lost': 'I1',
  'moved': 'I1',
  'corrupt': 'I1',
  'hole': 'I2',
  'inconsistent-offset': 'I3',
  'replica-divergence': 'I4',
  'duplicate': 'I5',
  'nonmonotonic-send': 'I5',
  'aborted-read': 'I6',
  'vanished': 'I6',
  'nonmonotonic-poll': 'I7',
  'poll-skip': 'I7',
  'commit-regression': 'I8',
  'bad-read': 'I12',
  'crash': 'I14',
  'unavailable': 'I15',
  'unseen': 'I15',
  'phantom': '-',
} as const;

export type AnomalyKind = keyof typeof anomalyKinds;

export interface Anomaly {
  readonly kind: AnomalyKind;
  readonly partition: number | null;
  readonly detail: string;
}

export interface Verdict {
  readonly ok: boolean;
  /** Every anomaly, at most `examplesPerKind` of each kind kept in `anomalies`. */
  readonly counts: Readonly<Record<AnomalyKind, number>>;
  readonly anomalies: readonly Anomaly[];
  readonly stats: {
    readonly attempted: number;
    readonly acknowledged: number;
    readonly definitelyFailed: number;
    readonly indefinite: number;
    readonly finalRecords: number;
    readonly polled: number;
    readonly commits: number;
  };
}

const examplesPerKind = 20;

interface Sent {
  readonly proc: string;
  readonly partition: number;
  readonly seq: number;
  readonly digest: string;
}

class Findings {
  readonly counts = Object.fromEntries(Object.keys(anomalyKinds).map((k) => [k, 0])) as Record<AnomalyKind, number>;
  readonly anomalies: Anomaly[] = [];

  add(kind: AnomalyKind, partition: number | null, detail: string): void {
    this.counts[kind]++;
    if (this.counts[kind] <= examplesPerKind) this.anomalies.push({ kind, partition, detail });
  }
}

export function check(ops: readonly Op[]): Verdict {
  const findings = new Findings();
  const sent = new Map<string, Sent>();
  const acked = new Map<string, { partition: number; offset: number }>();
  const definitelyFailed = new Set<string>();
  const indefinite = new Set<string>();
  /** Ids read, per family of consumers: a group, or a lone reader. */
  const polledIds = new Map<string, Set<string>>();
  let polled = 0;
  let commits = 0;

  for (const op of ops) {
    if (op.type === 'send') {
      for (const record of op.records) {
        const id = parseRecordId(record.id);
        sent.set(record.id, { proc: op.proc, partition: op.partition, seq: id?.seq ?? -1, digest: record.digest });
      }
    } else if (op.type === 'ack') {
      op.ids.forEach((id, i) => {
        const offset = op.offsets[i]!;
        const earlier = acked.get(id);
        if (earlier !== undefined && (earlier.offset !== offset || earlier.partition !== op.partition)) {
          findings.add('inconsistent-offset', op.partition, `${id} acknowledged at ${earlier.offset} and again at ${offset}`);
        }
        acked.set(id, { partition: op.partition, offset });
        indefinite.delete(id);
      });
    } else if (op.type === 'fail') {
      for (const id of op.ids) (op.definite ? definitelyFailed : indefinite).add(id);
    } else if (op.type === 'crash' && !op.expected) {
      findings.add('crash', null, `node ${op.node} exited (${op.exit}) at ${op.t}`);
    } else if (op.type === 'measure' && (op.name === 'heal' || op.name === 'consumers') && (op.ms === null || op.ms > op.budgetMs)) {
      findings.add('unavailable', null, `cycle ${op.cycle} (${op.kind}): ${op.name} ${op.ms === null ? 'never happened' : `took ${op.ms} ms`}, budget ${op.budgetMs} ms`);
    } else if (op.type === 'replicas') {
      for (const problem of op.problems) findings.add('replica-divergence', op.partition, problem);
    } else if (op.type === 'poll') {
      polled += op.records.length;
      const family = op.group ?? op.proc;
      const ids = polledIds.get(family) ?? new Set<string>();
      polledIds.set(family, ids);
      for (const record of op.records) if (record.id !== null) ids.add(record.id);
    } else if (op.type === 'read-problem') {
      findings.add('bad-read', op.partition, `${op.proc}: ${op.detail}`);
    } else if (op.type === 'commit' && op.ok) {
      commits++;
    }
  }

  const finals = new Map<number, Extract<Op, { type: 'final' }>>();
  for (const op of ops) if (op.type === 'final') finals.set(op.partition, op);
  const partitions = new Set<number>([...finals.keys()]);
  for (const { partition } of acked.values()) partitions.add(partition);

  for (const partition of [...partitions].sort((a, b) => a - b)) {
    checkPartition({ partition, ops, final: finals.get(partition), sent, acked, definitelyFailed, findings });
  }
  checkPolls(ops, findings);
  checkCommits(ops, findings);
  for (const [family, ids] of polledIds) {
    for (const [id, { partition }] of acked) {
      if (!ids.has(id) && finals.has(partition)) findings.add('unseen', partition, `${id} was acknowledged but ${family} never read it`);
    }
  }

  const counts = findings.counts;
  return {
    ok: Object.values(counts).every((count) => count === 0),
    counts,
    anomalies: findings.anomalies,
    stats: {
      attempted: sent.size,
      acknowledged: acked.size,
      definitelyFailed: definitelyFailed.size,
      indefinite: indefinite.size,
      finalRecords: [...finals.values()].reduce((sum, f) => sum + f.records.length, 0),
      polled,
      commits,
    },
  };
}

/** Checks a record as read against what was sent; returns false if it is not ours at all. */
function checkRead(partition: number, record: ReadRecord, where: string, sent: ReadonlyMap<string, Sent>, definitelyFailed: ReadonlySet<string>, findings: Findings): void {
  const origin = record.id === null ? undefined : sent.get(record.id);
  if (origin === undefined) {
    findings.add('phantom', partition, `${where} offset ${record.offset}: ${record.id ?? 'a foreign record'} was never sent`);
    return;
  }
  if (origin.partition !== partition) findings.add('phantom', partition, `${where} offset ${record.offset}: ${record.id} was sent to partition ${origin.partition}`);
  if (origin.digest !== record.digest) findings.add('corrupt', partition, `${where} offset ${record.offset}: ${record.id} reads back with other bytes`);
  if (definitelyFailed.has(record.id!)) findings.add('aborted-read', partition, `${where} offset ${record.offset}: ${record.id} was definitely refused, yet it is there`);
}

function checkPartition(input: {
  partition: number;
  ops: readonly Op[];
  final: Extract<Op, { type: 'final' }> | undefined;
  sent: ReadonlyMap<string, Sent>;
  acked: ReadonlyMap<string, { partition: number; offset: number }>;
  definitelyFailed: ReadonlySet<string>;
  findings: Findings;
}): void {
  const { partition, ops, final, sent, acked, definitelyFailed, findings } = input;
  // I3 over everything that names an offset: acks, polls and the final read.
  const atOffset = new Map<number, string>();
  const claim = (offset: number, id: string | null, what: string): void => {
    if (id === null) return;
    const earlier = atOffset.get(offset);
    if (earlier === undefined) atOffset.set(offset, id);
    else if (earlier !== id) findings.add('inconsistent-offset', partition, `offset ${offset}: ${what} ${id}, but ${earlier} was there before`);
  };
  for (const op of ops) {
    if (op.type === 'ack' && op.partition === partition) op.ids.forEach((id, i) => claim(op.offsets[i]!, id, 'acknowledged'));
    if (op.type === 'poll' && op.partition === partition) for (const r of op.records) claim(r.offset, r.id, `${op.proc} read`);
  }
  if (final === undefined) {
    findings.add('lost', partition, `partition ${partition} has acknowledged records but no final read`);
    return;
  }
  for (const problem of final.problems) findings.add('bad-read', partition, problem);
  const finalAt = new Map<number, ReadRecord>();
  const offsetsOf = new Map<string, number[]>();
  let expected = final.logStartOffset;
  for (const record of final.records) {
    if (record.offset !== expected) {
      findings.add('hole', partition, `final read: offset ${record.offset} follows ${expected - 1}`);
      expected = record.offset;
    }
    expected++;
    claim(record.offset, record.id, 'the final read has');
    finalAt.set(record.offset, record);
    checkRead(partition, record, 'final read', sent, definitelyFailed, findings);
    if (record.id !== null) offsetsOf.set(record.id, [...(offsetsOf.get(record.id) ?? []), record.offset]);
  }
  if (expected !== final.highWatermark) findings.add('hole', partition, `final read ends at ${expected}, the high watermark is ${final.highWatermark}`);
  for (const [id, offsets] of offsetsOf) {
    if (offsets.length > 1) findings.add('duplicate', partition, `${id} at offsets ${offsets.join(', ')}`);
  }

  // I1: every acknowledged record, where it was acknowledged, as it was sent.
  const ackedHere = [...acked].filter(([, a]) => a.partition === partition);
  for (const [id, { offset }] of ackedHere) {
    const found = finalAt.get(offset);
    if (found?.id === id) continue;
    const elsewhere = offsetsOf.get(id);
    if (elsewhere === undefined) findings.add('lost', partition, `${id} acknowledged at ${offset}, missing from the final read (high watermark ${final.highWatermark})`);
    else findings.add('moved', partition, `${id} acknowledged at ${offset}, found at ${elsewhere.join(', ')}`);
  }

  // I5: one producer's acknowledged offsets keep its send order.
  const byProc = new Map<string, { seq: number; offset: number; id: string }[]>();
  for (const [id, { offset }] of ackedHere) {
    const origin = sent.get(id);
    if (origin === undefined) continue;
    byProc.set(origin.proc, [...(byProc.get(origin.proc) ?? []), { seq: origin.seq, offset, id }]);
  }
  for (const [proc, list] of byProc) {
    list.sort((a, b) => a.seq - b.seq);
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.offset <= list[i - 1]!.offset) {
        findings.add('nonmonotonic-send', partition, `${proc}: ${list[i]!.id} at ${list[i]!.offset} after ${list[i - 1]!.id} at ${list[i - 1]!.offset}`);
      }
    }
  }

  // I6: what a consumer read is still there, where it read it.
  for (const op of ops) {
    if (op.type !== 'poll' || op.partition !== partition) continue;
    for (const record of op.records) {
      checkRead(partition, record, `${op.proc} read`, sent, definitelyFailed, findings);
      if (record.id !== null && !finalAt.has(record.offset)) {
        findings.add('vanished', partition, `${op.proc} read ${record.id} at ${record.offset}; the final read ends at ${final.highWatermark}`);
      }
    }
  }
}

/** I7: within one consumer session, each partition's offsets run on without gaps or steps back. */
function checkPolls(ops: readonly Op[], findings: Findings): void {
  const cursors = new Map<string, number>();
  for (const op of ops) {
    if (op.type !== 'poll') continue;
    const key = `${op.proc}/${op.session}/${op.partition}`;
    let next = cursors.get(key) ?? op.from;
    if (op.from < next) findings.add('nonmonotonic-poll', op.partition, `${op.proc} asked for ${op.from} after reading up to ${next - 1}`);
    if (op.from > next && cursors.has(key)) findings.add('poll-skip', op.partition, `${op.proc} asked for ${op.from} after reading up to ${next - 1}`);
    next = op.from;
    for (const record of op.records) {
      if (record.offset < next) findings.add('nonmonotonic-poll', op.partition, `${op.proc} read offset ${record.offset} after ${next - 1}`);
      else if (record.offset > next) findings.add('poll-skip', op.partition, `${op.proc} read offset ${record.offset}, skipping from ${next}`);
      next = record.offset + 1;
    }
    cursors.set(key, next);
  }
}

/**
 * I8: a group's committed offset for a partition never moves back: no acknowledged commit is
 * lower than one acknowledged before it was sent, and OffsetFetch never shows a lower value
 * than an earlier answer or an earlier acknowledged commit.
 */
function checkCommits(ops: readonly Op[], findings: Findings): void {
  const highest = new Map<string, { offset: number; t: number; what: string }>();
  const sorted = ops
    .filter((op): op is Extract<Op, { type: 'commit' | 'committed' }> => (op.type === 'commit' && op.ok) || op.type === 'committed')
    .sort((a, b) => a.t - b.t);
  for (const op of sorted) {
    const key = `${op.group}/${op.partition}`;
    const before = highest.get(key);
    const what = op.type === 'commit' ? `${op.proc} committed ${op.offset}` : `OffsetFetch answered ${op.offset}`;
    // A request sent before the higher value was acknowledged may race it; only later ones count.
    const sentAfter = op.t0 > (before?.t ?? -Infinity);
    if (before !== undefined && op.offset < before.offset && sentAfter) {
      findings.add('commit-regression', op.partition, `${op.group}: ${what} after ${before.what}`);
    }
    if (before === undefined || op.offset >= before.offset) highest.set(key, { offset: op.offset, t: op.t, what });
  }
}
