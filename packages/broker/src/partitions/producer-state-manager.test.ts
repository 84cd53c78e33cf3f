import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { encodeRecordBatch } from '@rill/protocol';
import { defaultLogConfig, Log } from '@rill/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { ProducerStateManager } from './producer-state-manager.js';
import { listProducerSnapshots, producerSnapshotName, writeProducerSnapshot } from './producer-state-snapshot.js';

const logger = pino({ level: 'silent' });
const options = { producersMax: 100, snapshotsRetained: 3, logger };
const dirs: string[] = [];
const logs: Log[] = [];

afterEach(async () => {
  for (const log of logs.splice(0)) await log.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function openLog(dir?: string, segmentBytes = defaultLogConfig.segmentBytes): Promise<Log> {
  const path = dir ?? join(mkdtempSync(join(tmpdir(), 'rill-producers-')), 'p-0');
  if (dir === undefined) dirs.push(join(path, '..'));
  const log = await Log.open({ dir: path, config: { ...defaultLogConfig, segmentBytes } });
  logs.push(log);
  return log;
}

async function reopen(log: Log, segmentBytes?: number): Promise<Log> {
  await log.close();
  logs.splice(logs.indexOf(log), 1);
  return openLog(log.dir, segmentBytes);
}

/** Appends one batch of `records` records as the leader would, and tells the state. */
function append(log: Log, state: ProducerStateManager | null, producerId: number, baseSequence: number, records = 2): number {
  const bytes = encodeRecordBatch({
    records: Array.from({ length: records }, (_, i) => ({ value: `v${baseSequence + i}`, timestamp: 1_000 + baseSequence })),
    producerId,
    producerEpoch: producerId < 0 ? -1 : 0,
    baseSequence: producerId < 0 ? -1 : baseSequence,
  });
  const info = log.append(bytes, { leaderEpoch: 0 });
  state?.appended(bytes);
  return info.baseOffset;
}

const retry = (producerId: number, baseSequence: number, records = 2) => ({
  producerId, producerEpoch: 0, baseSequence, lastOffsetDelta: records - 1, maxTimestamp: 0,
});

describe('ProducerStateManager', () => {
  it('rebuilds the same state from the batch headers when there is no snapshot', async () => {
    let log = await openLog();
    const { state: live } = ProducerStateManager.load(log, options);
    for (let i = 0; i < 4; i++) {
      append(log, live, 11, i * 2);
      append(log, live, -1, 0);
      append(log, live, 12, i * 2);
    }
    const expected = live.table.entries();
    log = await reopen(log);
    const { state, load } = ProducerStateManager.load(log, options);
    expect(load).toEqual({ snapshotOffset: null, batchesRead: 12 });
    expect(state.table.entries()).toEqual(expected);
    expect(state.check(retry(11, 6))).toEqual({ kind: 'duplicate', firstOffset: 18, lastOffset: 19 });
    // Having replayed, it left a snapshot at the log end: the next open reads no batch.
    expect(listProducerSnapshots(log.dir)).toEqual([24]);
    log = await reopen(log);
    expect(ProducerStateManager.load(log, options).load).toEqual({ snapshotOffset: 24, batchesRead: 0 });
  });

  it('round-trips through the snapshot written at a clean close, then replays what came after', async () => {
    let log = await openLog();
    const { state } = ProducerStateManager.load(log, options);
    append(log, state, 5, 0);
    append(log, state, 5, 2);
    state.snapshot();
    append(log, state, 5, 4);
    const expected = state.table.entries();
    log = await reopen(log);
    const reloaded = ProducerStateManager.load(log, options);
    expect(reloaded.load).toEqual({ snapshotOffset: 4, batchesRead: 1 });
    expect(reloaded.state.table.entries()).toEqual(expected);
  });

  it('ignores and removes a snapshot above the log end (the log lost its tail in a crash), and a damaged one', async () => {
    let log = await openLog();
    const { state } = ProducerStateManager.load(log, options);
    append(log, state, 5, 0);
    state.snapshot();
    append(log, state, 5, 2);
    writeProducerSnapshot(log.dir, 400, [{ producerId: 5, producerEpoch: 0, lastTimestamp: 0, batches: [{ firstSeq: 90, lastSeq: 91, firstOffset: 398, lastOffset: 399 }] }]);
    writeFileSync(join(log.dir, producerSnapshotName(3)), 'garbage');
    log = await reopen(log);
    const reloaded = ProducerStateManager.load(log, options);
    expect(reloaded.load).toEqual({ snapshotOffset: 2, batchesRead: 1 });
    expect(reloaded.state.table.entry(5)?.batches.map((b) => b.firstSeq)).toEqual([0, 2]);
    expect(listProducerSnapshots(log.dir)).not.toContain(400);
  });

  it('forgets what lay above a truncation point, from the last snapshot below it or from the log start', async () => {
    const log = await openLog();
    const { state } = ProducerStateManager.load(log, options);
    for (let i = 0; i < 3; i++) append(log, state, 8, i * 2);
    state.snapshot(); // at 6
    for (let i = 3; i < 6; i++) append(log, state, 8, i * 2);
    state.snapshot(); // at 12
    log.truncateTo(8);
    state.truncated();
    expect(listProducerSnapshots(log.dir)).toEqual([6]);
    expect(state.table.entry(8)?.batches.map((b) => b.firstSeq)).toEqual([0, 2, 4, 6]);
    expect(state.check(retry(8, 8))).toEqual({ kind: 'append' });
    log.truncateTo(4);
    state.truncated();
    expect(listProducerSnapshots(log.dir)).toEqual([]);
    expect(state.table.entry(8)?.batches.map((b) => b.firstSeq)).toEqual([0, 2]);
    log.truncateFullyAndStartAt(50);
    state.restarted();
    expect(state.size).toBe(0);
  });

  it('snapshots when a segment rolls, keeping the newest few', async () => {
    const log = await openLog(undefined, 300);
    const { state } = ProducerStateManager.load(log, options);
    for (let i = 0; i < 30; i++) append(log, state, 3, i * 2);
    expect(log.segmentCount).toBeGreaterThan(4);
    const snapshots = listProducerSnapshots(log.dir);
    expect(snapshots).toHaveLength(3);
    expect(snapshots[2]).toBeLessThanOrEqual(log.logEndOffset);
    expect(readdirSync(log.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('expires idle producers by their last batch timestamp', async () => {
    const log = await openLog();
    const { state } = ProducerStateManager.load(log, options);
    append(log, state, 1, 0);
    expect(state.expire(1_000 + 999, 1_000)).toBe(0);
    expect(state.expire(1_000 + 1_000, 1_000)).toBe(1);
    expect(state.size).toBe(0);
  });
});
