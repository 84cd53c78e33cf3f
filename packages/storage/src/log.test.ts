import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  batchBaseOffset,
  batchCrcMatches,
  batchPartitionLeaderEpoch,
  batchSizeBytes,
} from './batch-header.js';
import { StorageError } from './errors.js';
import type { Log, ReadResult } from './log.js';
import { buildBatchOf } from './test-helpers/record-batch-builder.js';
import { ManualClock, openLog, readAll, removeTempDirs, tempDir } from './test-helpers/temp-log.js';

afterEach(removeTempDirs);

function records(result: ReadResult): Buffer {
  if (result.kind !== 'records') throw new Error('expected records');
  return result.records;
}

/** Appends `count` batches of `perBatch` records; returns the stored bytes of each. */
function appendBatches(log: Log, count: number, perBatch = 3, valueBytes = 100): Buffer[] {
  const stored: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const batch = buildBatchOf(perBatch, valueBytes, i, { baseTimestamp: 1000 + i * 10 });
    log.append(batch, { leaderEpoch: 5 });
    stored.push(batch);
  }
  return stored;
}

describe('Log append and read', () => {
  it('assigns dense offsets in place and reads the batches back byte for byte', async () => {
    const log = await openLog(tempDir());
    const first = buildBatchOf(3, 10);
    const second = buildBatchOf(2, 10, 2);
    const both = Buffer.concat([first, second]);
    const info = log.append(both, { leaderEpoch: 7 });
    expect(info).toMatchObject({ baseOffset: 0, lastOffset: 4, recordCount: 5 });
    expect(info.sizeBytes).toBe(both.length);
    expect(log.logEndOffset).toBe(5);
    const read = records(log.read(0, { maxBytes: 1 << 20 }));
    expect(read.equals(both)).toBe(true);
    expect(batchBaseOffset(read, first.length)).toBe(3);
    expect(batchPartitionLeaderEpoch(read, 0)).toBe(7);
    expect(batchCrcMatches(read, 0, first.length)).toBe(true);
    await log.close();
  });

  it('returns the whole batch containing an offset inside it', async () => {
    const log = await openLog(tempDir());
    const stored = appendBatches(log, 10);
    const result = log.read(13, { maxBytes: 1 });
    expect(result).toMatchObject({ kind: 'records', firstOffset: 12, nextOffset: 15 });
    expect(records(result).equals(stored[4])).toBe(true);
    await log.close();
  });

  it('honours maxBytes with whole batches and always returns the first (KIP-74)', async () => {
    const log = await openLog(tempDir());
    const stored = appendBatches(log, 20);
    const size = stored[0].length;
    const two = log.read(0, { maxBytes: 2 * size + size / 2 });
    expect(records(two).equals(Buffer.concat(stored.slice(0, 2)))).toBe(true);
    expect(two).toMatchObject({ nextOffset: 6 });
    expect(records(log.read(3, { maxBytes: 10 })).equals(stored[1])).toBe(true);
    await log.close();
  });

  it('with minOneBatch false, returns nothing rather than a first batch above maxBytes, and reads nothing', async () => {
    const log = await openLog(tempDir());
    const stored = appendBatches(log, 3);
    const size = stored[0].length;
    let allocated = 0;
    const allocate = (bytes: number): Buffer => ((allocated += bytes), Buffer.allocUnsafe(bytes));
    const none = log.read(0, { maxBytes: size - 1, minOneBatch: false, allocate });
    expect(none).toMatchObject({ kind: 'records', nextOffset: 0 });
    expect(records(none)).toHaveLength(0);
    expect(allocated).toBe(0);
    const fits = log.read(0, { maxBytes: size + size / 2, minOneBatch: false, allocate });
    expect(records(fits).equals(stored[0])).toBe(true);
    await log.close();
  });

  it('reads into the buffer its caller allocates', async () => {
    const log = await openLog(tempDir());
    const stored = appendBatches(log, 4);
    const reused = Buffer.alloc(64 * 1024, 0xee);
    const asked: number[] = [];
    const allocate = (bytes: number): Buffer => (asked.push(bytes), reused.subarray(0, bytes));
    const all = records(log.read(0, { maxBytes: 1 << 20, allocate }));
    expect(all.equals(Buffer.concat(stored))).toBe(true);
    expect(all.buffer).toBe(reused.buffer);
    const upToTwo = records(log.read(0, { maxBytes: 1 << 20, upTo: 6, allocate }));
    expect(upToTwo.equals(Buffer.concat(stored.slice(0, 2)))).toBe(true);
    expect(asked).toHaveLength(2);
    await log.close();
  });

  it('never returns a byte of a batch at or above upTo', async () => {
    const log = await openLog(tempDir());
    const stored = appendBatches(log, 10);
    const result = log.read(0, { maxBytes: 1 << 20, upTo: 9 });
    expect(records(result).equals(Buffer.concat(stored.slice(0, 3)))).toBe(true);
    expect(result).toMatchObject({ nextOffset: 9 });
    expect(records(log.read(9, { maxBytes: 1 << 20, upTo: 9 })).length).toBe(0);
    // upTo inside a batch (not a batch boundary) excludes that whole batch.
    expect(records(log.read(0, { maxBytes: 1 << 20, upTo: 8 })).length).toBe(2 * stored[0].length);
    expect(records(log.read(6, { maxBytes: 1 << 20, upTo: 8 })).length).toBe(0);
    await log.close();
  });

  it('reports reads outside [logStart, logEnd] as out of range and logEnd as empty', async () => {
    const log = await openLog(tempDir());
    appendBatches(log, 2);
    expect(log.read(7, { maxBytes: 100 })).toEqual({
      kind: 'outOfRange',
      logStartOffset: 0,
      logEndOffset: 6,
    });
    expect(log.read(-1, { maxBytes: 100 }).kind).toBe('outOfRange');
    expect(log.read(6, { maxBytes: 100 })).toMatchObject({ kind: 'records', nextOffset: 6 });
    await log.close();
  });

  it('appends as a follower only at the log end, keeping the leader offsets', async () => {
    const leader = await openLog(tempDir());
    appendBatches(leader, 3);
    const fetched = records(leader.read(0, { maxBytes: 1 << 20 }));
    const follower = await openLog(tempDir());
    expect(follower.appendAsFollower(fetched.subarray(batchSizeBytes(fetched, 0)))).toBeNull();
    expect(follower.appendAsFollower(fetched)).toMatchObject({ baseOffset: 0, lastOffset: 8 });
    expect(readAll(follower).equals(fetched)).toBe(true);
    await leader.close();
    await follower.close();
  });

  it('refuses an append larger than a segment with a typed error', async () => {
    const log = await openLog(tempDir(), { segmentBytes: 1000 });
    const error = (() => {
      try {
        log.append(buildBatchOf(20, 100), { leaderEpoch: 0 });
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('record_too_large');
    await log.close();
  });
});

describe('Log segments', () => {
  it('rolls by segment.bytes and reads across segments', async () => {
    const dir = tempDir();
    const log = await openLog(dir, { segmentBytes: 2000 });
    const stored = appendBatches(log, 20);
    expect(log.segmentCount).toBe(4); // 5 batches of ~380 bytes per 2000-byte segment
    expect(fs.readdirSync(dir)).toContain('00000000000000000000.log');
    expect(readAll(log).equals(Buffer.concat(stored))).toBe(true);
    for (let offset = 0; offset < log.logEndOffset; offset++) {
      const batch = records(log.read(offset, { maxBytes: 1 }));
      expect(batch.equals(stored[Math.floor(offset / 3)])).toBe(true);
    }
    await log.close();
  });

  it('rolls by segment.ms on the injected clock', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), { segmentMs: 1000 }, clock);
    appendBatches(log, 2);
    clock.advance(999);
    appendBatches(log, 1);
    expect(log.segmentCount).toBe(1);
    clock.advance(1);
    appendBatches(log, 1);
    expect(log.segmentCount).toBe(2);
    await log.close();
  });

  it('takes new settings on an open log: later rolls and retention use them', async () => {
    const log = await openLog(tempDir(), { segmentBytes: 100_000 });
    appendBatches(log, 5);
    expect(log.segmentCount).toBe(1);
    log.updateConfig({ ...log.config, segmentBytes: 2000, retentionBytes: 0 });
    appendBatches(log, 10);
    expect(log.segmentCount).toBe(3);
    expect(log.applyRetention().deletedSegments).toBe(2);
    expect(() => log.updateConfig({ ...log.config, segmentBytes: 0 })).toThrow(StorageError);
    expect(log.config.segmentBytes).toBe(2000);
    await log.close();
  });

  it('reopens after a clean close without recovering anything', async () => {
    const dir = tempDir();
    const log = await openLog(dir, { segmentBytes: 3000 });
    const stored = appendBatches(log, 30);
    await log.close();
    expect(fs.existsSync(`${dir}/.clean-shutdown`)).toBe(true);
    const reopened = await openLog(dir, { segmentBytes: 3000 });
    expect(reopened.recovery).toMatchObject({ cleanShutdown: true, segmentsRecovered: 0 });
    expect(fs.existsSync(`${dir}/.clean-shutdown`)).toBe(false);
    expect(reopened.logEndOffset).toBe(90);
    expect(readAll(reopened).equals(Buffer.concat(stored))).toBe(true);
    const info = reopened.append(buildBatchOf(1, 10), { leaderEpoch: 1 });
    expect(info.baseOffset).toBe(90);
    await reopened.close();
  });

  it('finds offsets by timestamp through the time index', async () => {
    const log = await openLog(tempDir(), { segmentBytes: 3000 });
    appendBatches(log, 30); // batch i has maxTimestamp 1000 + 10 i and offsets [3i, 3i+2]
    expect(log.offsetForTimestamp(0)).toBe(0);
    expect(log.offsetForTimestamp(1000)).toBe(0);
    expect(log.offsetForTimestamp(1001)).toBe(3);
    expect(log.offsetForTimestamp(1150)).toBe(45);
    expect(log.offsetForTimestamp(1151)).toBe(48);
    expect(log.offsetForTimestamp(1290)).toBe(87);
    expect(log.offsetForTimestamp(1291)).toBeNull();
    await log.close();
  });
});

describe('Log truncation', () => {
  it('truncates to the start of the batch containing the offset and appends after', async () => {
    const dir = tempDir();
    const log = await openLog(dir, { segmentBytes: 2000 });
    const stored = appendBatches(log, 20);
    expect(log.truncateTo(31)).toBe(30);
    expect(log.logEndOffset).toBe(30);
    expect(readAll(log).equals(Buffer.concat(stored.slice(0, 10)))).toBe(true);
    expect(log.append(buildBatchOf(2, 10), { leaderEpoch: 9 }).baseOffset).toBe(30);
    expect(log.truncateTo(100)).toBe(32);
    await log.close();
    const reopened = await openLog(dir, { segmentBytes: 2000 });
    expect(reopened.logEndOffset).toBe(32);
    await reopened.close();
  });

  it('truncates to a segment boundary and below the log start', async () => {
    const log = await openLog(tempDir(), { segmentBytes: 2000 });
    appendBatches(log, 20); // segments of 5 batches: bases 0, 15, 30, 45
    expect(log.segmentCount).toBe(4);
    expect(log.truncateTo(15)).toBe(15);
    expect(log.segmentCount).toBe(2);
    expect(log.append(buildBatchOf(1, 10), { leaderEpoch: 2 }).baseOffset).toBe(15);
    expect(log.truncateTo(0)).toBe(0);
    expect(log.segmentCount).toBe(1);
    expect(log.logEndOffset).toBe(0);
    expect(log.append(buildBatchOf(1, 10), { leaderEpoch: 3 }).baseOffset).toBe(0);
    await log.close();
  });

  it('restarts empty at an offset above its end (a follower behind the leader\'s log start)', async () => {
    const dir = tempDir();
    const log = await openLog(dir, { segmentBytes: 2000 });
    appendBatches(log, 4);
    expect(log.truncateFullyAndStartAt(500)).toBe(500);
    expect(log.logStartOffset).toBe(500);
    expect(log.logEndOffset).toBe(500);
    const batch = buildBatchOf(2, 10);
    batch.writeBigInt64BE(500n, 0);
    expect(log.appendAsFollower(batch)?.baseOffset).toBe(500);
    await log.close();
    const reopened = await openLog(dir, { segmentBytes: 2000 });
    expect([reopened.logStartOffset, reopened.logEndOffset]).toEqual([500, 502]);
    await reopened.close();
  });
});

describe('Log retention', () => {
  it('deletes old segments by time and advances the log start', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), { segmentBytes: 2000, retentionMs: 100 }, clock);
    appendBatches(log, 20); // timestamps 1000..1190
    const before = log.segmentCount;
    expect(log.applyRetention(1140).deletedSegments).toBe(0); // first segment's max: 1040
    const { deletedSegments } = log.applyRetention(1250);
    expect(deletedSegments).toBeGreaterThan(0);
    expect(log.segmentCount).toBe(before - deletedSegments);
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(log.read(0, { maxBytes: 100 }).kind).toBe('outOfRange');
    expect(log.read(log.logStartOffset, { maxBytes: 100 }).kind).toBe('records');
    expect(log.applyRetention(10_000).deletedSegments).toBe(log.segmentCount === 1 ? 0 : 1);
    await log.close();
  });

  it('deletes oldest segments by size but never the active one', async () => {
    const log = await openLog(tempDir(), { segmentBytes: 2000, retentionBytes: 3000 });
    appendBatches(log, 20);
    log.applyRetention();
    expect(log.sizeBytes).toBeGreaterThanOrEqual(3000 - 2000);
    expect(log.sizeBytes).toBeLessThan(3000 + 2000);
    const zero = await openLog(tempDir(), { segmentBytes: 2000, retentionBytes: 0 });
    appendBatches(zero, 20);
    zero.applyRetention();
    expect(zero.segmentCount).toBe(1);
    expect(zero.logEndOffset).toBe(60);
    await log.close();
    await zero.close();
  });
});

describe('Log flush', () => {
  it('advances the recovery point on flush and by flush.interval.messages', async () => {
    const dir = tempDir();
    const log = await openLog(dir, { flushIntervalMessages: 10 });
    appendBatches(log, 3); // 9 records: not yet
    await log.maybeFlush();
    expect(log.recoveryPoint).toBe(0);
    appendBatches(log, 1); // 12 records: append starts a flush
    await log.flush();
    expect(log.recoveryPoint).toBe(12);
    expect(fs.readFileSync(`${dir}/recovery-point`, 'utf8')).toBe('0\n12\n');
    await log.close();
  });

  it('flushes by flush.interval.ms via maybeFlush', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), { flushIntervalMs: 500 }, clock);
    appendBatches(log, 1);
    await log.maybeFlush();
    expect(log.recoveryPoint).toBe(0);
    clock.advance(500);
    await log.maybeFlush();
    expect(log.recoveryPoint).toBe(3);
    await log.close();
  });

  it('never checkpoints above a truncation that lands during a flush', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    appendBatches(log, 4);
    const flushing = log.flush();
    // Let the flush start (it captures its target, then waits on fdatasync).
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.truncateTo(3)).toBe(3);
    await flushing;
    await log.close();
    expect(fs.readFileSync(`${dir}/recovery-point`, 'utf8')).toBe('0\n3\n');
    const reopened = await openLog(dir);
    expect(reopened.logEndOffset).toBe(3);
    await reopened.close();
  });

  it('deletes its directory', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    appendBatches(log, 1);
    await log.delete();
    expect(fs.existsSync(dir)).toBe(false);
  });
});
