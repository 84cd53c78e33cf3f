import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { batchCrcMatches, batchSizeBytes } from './batch-header.js';
import type { Log } from './log.js';
import { buildBatchOf } from './test-helpers/record-batch-builder.js';
import {
  lastSegmentFile,
  openLog,
  readAll,
  removeTempDirs,
  tempDir,
} from './test-helpers/temp-log.js';

afterEach(removeTempDirs);

const config = { segmentBytes: 2000, indexIntervalBytes: 256 };

/** A closed log of `count` batches (3 records each, varied sizes) over several segments. */
async function writeLog(dir: string, count: number): Promise<Buffer[]> {
  const log = await openLog(dir, config);
  const stored: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const batch = buildBatchOf(3, 40 + (i % 5) * 20, i, { baseTimestamp: 5000 + i });
    log.append(batch, { leaderEpoch: 1 });
    stored.push(batch);
  }
  await log.close();
  return stored;
}

/** What a kill -9 leaves: no clean-shutdown marker. */
function markUnclean(dir: string): void {
  fs.rmSync(path.join(dir, '.clean-shutdown'));
}

function copyDir(from: string): string {
  const to = tempDir('rill-storage-case-');
  fs.cpSync(from, to, { recursive: true });
  return to;
}

/** Every batch served must pass its CRC, and the stream must be whole batches. */
function expectOnlyValidBatches(bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) {
    const size = batchSizeBytes(bytes, at);
    expect(at + size).toBeLessThanOrEqual(bytes.length);
    expect(batchCrcMatches(bytes, at, size)).toBe(true);
    at += size;
  }
}

async function expectRecoveredTo(log: Log, stored: Buffer[], batches: number): Promise<void> {
  expect(log.logEndOffset).toBe(batches * 3);
  const served = readAll(log);
  expectOnlyValidBatches(served);
  expect(served.equals(Buffer.concat(stored.slice(0, batches)))).toBe(true);
  const next = buildBatchOf(2, 10, 99);
  expect(log.append(next, { leaderEpoch: 2 }).baseOffset).toBe(batches * 3);
  const tail = log.read(batches * 3, { maxBytes: 1 << 20 });
  expect(tail.kind === 'records' && tail.records.equals(next)).toBe(true);
  await log.close();
}

describe('recovery', () => {
  it('cuts a torn tail at every byte inside the last batch (F20)', async () => {
    const pristine = tempDir();
    const stored = await writeLog(pristine, 12);
    markUnclean(pristine);
    const segmentName = path.basename(lastSegmentFile(pristine));
    const full = fs.readFileSync(lastSegmentFile(pristine));
    const last = stored[stored.length - 1];
    const lastStart = full.length - last.length;
    for (let cut = lastStart; cut < full.length; cut++) {
      const dir = copyDir(pristine);
      fs.truncateSync(path.join(dir, segmentName), cut);
      const log = await openLog(dir, config);
      expect(log.recovery.truncatedBytes).toBe(cut - lastStart);
      await expectRecoveredTo(log, stored, stored.length - 1);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drops a last batch with any flipped bit outside the leader epoch (F21)', async () => {
    const pristine = tempDir();
    const stored = await writeLog(pristine, 8);
    markUnclean(pristine);
    const segmentName = path.basename(lastSegmentFile(pristine));
    const full = fs.readFileSync(lastSegmentFile(pristine));
    const lastStart = full.length - stored[stored.length - 1].length;
    for (let at = lastStart; at < full.length; at++) {
      // partitionLeaderEpoch (bytes 12-15) is outside the CRC by design: Kafka rewrites it.
      if (at - lastStart >= 12 && at - lastStart < 16) continue;
      const dir = copyDir(pristine);
      const corrupt = Buffer.from(full);
      corrupt[at] ^= 1 << (at % 8);
      fs.writeFileSync(path.join(dir, segmentName), corrupt);
      const log = await openLog(dir, config);
      await expectRecoveredTo(log, stored, stored.length - 1);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cuts a corrupt middle segment and deletes every segment after it', async () => {
    const dir = tempDir();
    const stored = await writeLog(dir, 24);
    markUnclean(dir);
    fs.rmSync(path.join(dir, 'recovery-point'));
    const logs = fs.readdirSync(dir).filter((name) => name.endsWith('.log')).sort();
    expect(logs.length).toBeGreaterThan(3);
    const second = path.join(dir, logs[1]);
    const bytes = fs.readFileSync(second);
    const firstBatchSize = batchSizeBytes(bytes, 0);
    bytes[firstBatchSize + 70] ^= 0xff; // inside the second batch of segment 2
    fs.writeFileSync(second, bytes);
    const log = await openLog(dir, config);
    const base = Number(logs[1].slice(0, 20));
    expect(log.recovery.deletedSegments).toBe(logs.length - 2);
    expect(log.segmentCount).toBe(2);
    await expectRecoveredTo(log, stored, base / 3 + 1);
  });

  it('cuts zeroed preallocated space after the last batch', async () => {
    const dir = tempDir();
    const stored = await writeLog(dir, 10);
    markUnclean(dir);
    fs.appendFileSync(lastSegmentFile(dir), Buffer.alloc(4096));
    const log = await openLog(dir, config);
    expect(log.recovery.truncatedBytes).toBe(4096);
    await expectRecoveredTo(log, stored, 10);
  });

  it('re-checks only segments at or above the recovery point after a crash', async () => {
    const dir = tempDir();
    const log = await openLog(dir, config);
    for (let i = 0; i < 20; i++) log.append(buildBatchOf(3, 60, i), { leaderEpoch: 1 });
    await log.flush();
    const segments = log.segmentCount;
    // Simulate kill -9: no close, so no marker.
    const reopened = await openLog(dir, config);
    expect(reopened.recovery.cleanShutdown).toBe(false);
    expect(reopened.recovery.segmentsRecovered).toBe(1);
    expect(reopened.segmentCount).toBe(segments);
    expect(reopened.logEndOffset).toBe(60);
    await reopened.close();
    await log.close();
  });

  it('rebuilds an offset index whose entry points at the wrong place (F21)', async () => {
    const dir = tempDir();
    const stored = await writeLog(dir, 12);
    const indexFile = path.join(dir, '00000000000000000000.index');
    const original = fs.readFileSync(indexFile);
    expect(original.length).toBeGreaterThanOrEqual(16);
    const corrupt = Buffer.from(original);
    corrupt[8 + 7] ^= 0x01; // position of the second entry, off by one
    fs.writeFileSync(indexFile, corrupt);
    const log = await openLog(dir, config);
    for (let offset = 0; offset < log.logEndOffset; offset++) {
      const result = log.read(offset, { maxBytes: 1 });
      expect(result.kind === 'records' && result.records.equals(stored[Math.floor(offset / 3)]))
        .toBe(true);
    }
    await log.close();
    expect(fs.readFileSync(indexFile).equals(original)).toBe(true);
  });

  it('rebuilds an index file that fails its checks on open', async () => {
    const dir = tempDir();
    const stored = await writeLog(dir, 12);
    const indexFile = path.join(dir, '00000000000000000000.index');
    const original = fs.readFileSync(indexFile);
    fs.writeFileSync(indexFile, original.subarray(0, original.length - 3));
    const timeFile = path.join(dir, '00000000000000000000.timeindex');
    fs.writeFileSync(timeFile, Buffer.alloc(12, 0xff));
    const log = await openLog(dir, config);
    expect(log.recovery.indexesRebuilt).toBe(1);
    expect(readAll(log).equals(Buffer.concat(stored))).toBe(true);
    expect(log.offsetForTimestamp(5003)).toBe(9);
    await log.close();
    expect(fs.readFileSync(indexFile).equals(original)).toBe(true);
  });
});
