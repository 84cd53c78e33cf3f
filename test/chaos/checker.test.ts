import { describe, expect, it } from 'vitest';
import { check, type AnomalyKind } from './checker.js';
import type { Op, ReadRecord } from './history.js';

/**
 * The checker against hand-made histories: a clean one passes, and each kind of anomaly is
 * found where it was planted (as jepsen-io/redpanda tests its own checker).
 */

const digest = (id: string): string => `d-${id}`;

/** A writer `proc` sends ids (seq numbers) to partition `partition` and gets them acknowledged from `offset`. */
function sendAck(proc: string, partition: number, seqs: number[], offset: number, t = 1): Op[] {
  const ids = seqs.map((s) => `${proc}.${partition}.${s}`);
  return [
    { type: 'send', t, proc, partition, records: ids.map((id) => ({ id, digest: digest(id) })) },
    { type: 'ack', t: t + 1, proc, partition, ids, offsets: ids.map((_, i) => offset + i) },
  ];
}

function read(ids: (string | null)[], from = 0): ReadRecord[] {
  return ids.map((id, i) => ({ offset: from + i, id, digest: id === null ? 'x' : digest(id) }));
}

function final(partition: number, ids: (string | null)[], highWatermark = ids.length): Op {
  return { type: 'final', t: 100, partition, logStartOffset: 0, highWatermark, records: read(ids), problems: [] };
}

function kinds(ops: Op[]): Partial<Record<AnomalyKind, number>> {
  const verdict = check(ops);
  return Object.fromEntries(Object.entries(verdict.counts).filter(([, n]) => n > 0));
}

describe('the chaos checker', () => {
  const base: Op[] = [...sendAck('a', 0, [0, 1], 0), ...sendAck('b', 0, [0], 2), ...sendAck('a', 0, [2], 3)];
  const all = ['a.0.0', 'a.0.1', 'b.0.0', 'a.0.2'];

  it('passes a clean history, and counts what it saw', () => {
    const ops: Op[] = [
      ...base,
      { type: 'poll', t: 5, proc: 'r', session: 0, partition: 0, from: 0, records: read(all.slice(0, 2)) },
      { type: 'poll', t: 6, proc: 'r', session: 0, partition: 0, from: 2, records: read(all.slice(2), 2) },
      final(0, all),
    ];
    const verdict = check(ops);
    expect(verdict.anomalies).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.stats).toMatchObject({ attempted: 4, acknowledged: 4, finalRecords: 4, polled: 4 });
  });

  it('finds a lost, a moved and a corrupted acknowledged record (I1)', () => {
    expect(kinds([...base, final(0, ['a.0.0', 'a.0.1', 'b.0.0'])])).toEqual({ lost: 1 });
    expect(kinds([...base, final(0, ['a.0.0', 'a.0.1', 'a.0.2', 'b.0.0'])])).toMatchObject({ moved: 2 });
    const corrupted: Op = { ...(final(0, all) as Extract<Op, { type: 'final' }>) };
    const records = read(all).map((r, i) => (i === 1 ? { ...r, digest: 'other bytes' } : r));
    expect(kinds([...base, { ...corrupted, records }])).toEqual({ corrupt: 1 });
  });

  it('finds holes below the high watermark (I2)', () => {
    const gap: Op = { type: 'final', t: 9, partition: 0, logStartOffset: 0, highWatermark: 4, records: read(all).filter((r) => r.offset !== 2), problems: [] };
    expect(kinds([...base, gap])).toMatchObject({ hole: 1, lost: 1 });
    expect(kinds([...base, final(0, all, 5)])).toEqual({ hole: 1 });
  });

  it('finds two records claiming one offset (I3)', () => {
    const ops: Op[] = [...base, ...sendAck('c', 0, [0], 3), final(0, all)];
    expect(kinds(ops)).toMatchObject({ 'inconsistent-offset': 1 });
  });

  it('finds duplicates and a producer whose acknowledged offsets go back (I5)', () => {
    expect(kinds([...base, final(0, [...all, 'a.0.1'])])).toEqual({ duplicate: 1 });
    const backwards: Op[] = [...sendAck('a', 0, [0], 1), ...sendAck('a', 0, [1], 0), final(0, ['a.0.1', 'a.0.0'])];
    expect(kinds(backwards)).toEqual({ 'nonmonotonic-send': 1 });
  });

  it('finds reads of refused writes and reads that vanished (I6)', () => {
    const refused: Op[] = [
      ...base,
      { type: 'send', t: 7, proc: 'a', partition: 0, records: [{ id: 'a.0.3', digest: digest('a.0.3') }] },
      { type: 'fail', t: 8, proc: 'a', partition: 0, ids: ['a.0.3'], definite: true, error: 'NOT_ENOUGH_REPLICAS' },
      final(0, [...all, 'a.0.3']),
    ];
    expect(kinds(refused)).toEqual({ 'aborted-read': 1 });
    const maybe = refused.map((op) => (op.type === 'fail' ? { ...op, definite: false } : op));
    expect(kinds(maybe)).toEqual({});
    const vanished: Op[] = [
      ...sendAck('a', 0, [0], 0),
      { type: 'send', t: 3, proc: 'a', partition: 0, records: [{ id: 'a.0.1', digest: digest('a.0.1') }] },
      { type: 'poll', t: 4, proc: 'r', session: 0, partition: 0, from: 0, records: read(['a.0.0', 'a.0.1']) },
      final(0, ['a.0.0']),
    ];
    expect(kinds(vanished)).toEqual({ vanished: 1 });
  });

  it('finds polls that skip or step back within a session, and not across sessions (I7)', () => {
    const poll = (session: number, from: number, ids: string[]): Op => ({ type: 'poll', t: 5, proc: 'r', session, partition: 0, from, records: read(ids, from) });
    const skip = [...base, poll(0, 0, ['a.0.0']), poll(0, 2, ['b.0.0', 'a.0.2']), final(0, all)];
    expect(kinds(skip)).toEqual({ 'poll-skip': 1, unseen: 1 });
    const back = [...base, poll(0, 0, ['a.0.0', 'a.0.1']), poll(0, 1, ['a.0.1']), final(0, all)];
    expect(kinds(back)).toEqual({ 'nonmonotonic-poll': 1, unseen: 2 });
    const restarted = [...base, poll(0, 0, ['a.0.0', 'a.0.1']), poll(1, 1, ['a.0.1', 'b.0.0', 'a.0.2']), final(0, all)];
    expect(kinds(restarted)).toEqual({});
  });

  it('finds committed offsets that move back, but not a commit that raced a higher one (I8)', () => {
    const commit = (t0: number, t: number, offset: number): Op => ({ type: 'commit', t0, t, proc: 'c', group: 'g', partition: 0, offset, ok: true });
    const fetched = (t0: number, t: number, offset: number): Op => ({ type: 'committed', t0, t, group: 'g', partition: 0, offset });
    expect(kinds([commit(1, 2, 5), commit(3, 4, 7), fetched(5, 6, 7)])).toEqual({});
    expect(kinds([commit(1, 2, 5), commit(3, 4, 7), fetched(5, 6, 5)])).toEqual({ 'commit-regression': 1 });
    expect(kinds([commit(1, 3, 7), commit(2, 4, 5)])).toEqual({});
    expect(kinds([commit(1, 2, 7), commit(3, 4, 5)])).toEqual({ 'commit-regression': 1 });
    expect(kinds([fetched(1, 2, 5), fetched(3, 4, 4)])).toEqual({ 'commit-regression': 1 });
  });

  it('reports crashes, late heals, damaged reads and replicas that differ', () => {
    const ops: Op[] = [
      ...base,
      final(0, all),
      { type: 'crash', t: 3, node: 2, exit: 'code 1', expected: false },
      { type: 'crash', t: 3, node: 3, exit: 'code 70', expected: true },
      { type: 'measure', t: 4, cycle: 1, kind: 'kill-leader', name: 'heal', ms: 40_000, budgetMs: 30_000 },
      { type: 'measure', t: 4, cycle: 2, kind: 'kill-leader', name: 'heal', ms: 2_000, budgetMs: 30_000 },
      { type: 'measure', t: 4, cycle: 2, kind: 'kill-leader', name: 'failover', ms: null, budgetMs: 6_000 },
      { type: 'replicas', t: 5, partition: 0, highWatermark: 4, problems: ['node 2 differs'] },
      { ...(final(1, []) as Extract<Op, { type: 'final' }>), problems: ['batch at 0 fails its CRC'] },
    ];
    expect(kinds(ops)).toEqual({ crash: 1, unavailable: 1, 'replica-divergence': 1, 'bad-read': 1 });
  });

  it('calls a record nobody sent a phantom', () => {
    expect(kinds([...base, final(0, [...all, 'z.0.0'])])).toEqual({ phantom: 1 });
    expect(kinds([...base, final(0, [...all, null])])).toEqual({ phantom: 1 });
  });
});
