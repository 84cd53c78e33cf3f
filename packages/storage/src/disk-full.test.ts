import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from './errors.js';
import { buildBatchOf } from './test-helpers/record-batch-builder.js';
import { openLog, readAll, removeTempDirs, tempDir } from './test-helpers/temp-log.js';

// Mounting a tmpfs needs root; CI runs as root, so this is the only reason to skip.
const isRoot = process.getuid?.() === 0;
const mounted: string[] = [];

afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync('umount', [dir]);
  removeTempDirs();
});

function tinyFilesystem(sizeKiB: number): string {
  const dir = tempDir('rill-storage-full-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir]);
  mounted.push(dir);
  return dir;
}

describe('disk full on append (F25)', () => {
  it.skipIf(!isRoot)('rolls a failed write back and serves only whole batches', async () => {
    const dir = path.join(tinyFilesystem(256), 'orders-0');
    const config = { segmentBytes: 1024 * 1024 };
    const log = await openLog(dir, config);
    const acknowledged: Buffer[] = [];
    let failure: unknown = null;
    for (let i = 0; i < 1000 && failure === null; i++) {
      const batch = buildBatchOf(10, 1000 + i, i);
      try {
        log.append(batch, { leaderEpoch: 1 });
        acknowledged.push(batch);
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toBeInstanceOf(StorageError);
    expect((failure as StorageError).code).toBe('disk_full');
    expect(acknowledged.length).toBeGreaterThan(5);
    // Nothing of the failed batch is left on disk, and the log still reads and refuses.
    const segment = path.join(dir, '00000000000000000000.log');
    expect(fs.statSync(segment).size).toBe(log.sizeBytes);
    expect(readAll(log).equals(Buffer.concat(acknowledged))).toBe(true);
    expect(() => log.append(buildBatchOf(10, 4000), { leaderEpoch: 1 })).toThrow(StorageError);
    expect(log.failure).toBeNull();
    await log.close().catch(() => undefined);
    const reopened = await openLog(dir, config);
    expect(reopened.logEndOffset).toBe(acknowledged.length * 10);
    expect(readAll(reopened).equals(Buffer.concat(acknowledged))).toBe(true);
    await reopened.close().catch(() => undefined);
  });
});
