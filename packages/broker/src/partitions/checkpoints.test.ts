import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readHighWatermarks, writeHighWatermarks } from './high-watermark-checkpoint.js';
import { readLeaderEpochCheckpoint, writeLeaderEpochCheckpoint } from './leader-epoch-checkpoint.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rill-checkpoint-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('leader epoch checkpoint', () => {
  it('round-trips the entries', () => {
    const dir = tempDir();
    const entries = [{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 120 }, { epoch: 7, startOffset: 120 }];
    writeLeaderEpochCheckpoint(dir, entries);
    expect(readLeaderEpochCheckpoint(dir)).toEqual(entries);
  });

  it('reads a missing, foreign or damaged file as empty (truncation then falls back to the high watermark)', () => {
    const dir = tempDir();
    expect(readLeaderEpochCheckpoint(dir)).toEqual([]);
    for (const text of ['1\n1\n0 0\n', '0\n2\n0 0\n', '0\n1\nzero 0\n', '0\n2\n5 10\n4 20\n', '0\n2\n1 10\n2 5\n']) {
      writeFileSync(join(dir, 'leader-epoch-checkpoint'), text);
      expect(readLeaderEpochCheckpoint(dir)).toEqual([]);
    }
  });
});

describe('high watermark checkpoint', () => {
  it('round-trips one log dir\'s partitions', async () => {
    const dir = tempDir();
    const highWatermarks = new Map([['orders-0', 42], ['orders-1', 0], ['a.b_c-12', 9_007_199_254]]);
    await writeHighWatermarks(dir, highWatermarks);
    expect(readHighWatermarks(dir)).toEqual(highWatermarks);
  });

  it('reads a missing or damaged file as no high watermarks', () => {
    const dir = tempDir();
    expect(readHighWatermarks(dir).size).toBe(0);
    writeFileSync(join(dir, 'replication-offset-checkpoint'), '0\n2\norders-0 5\n');
    expect(readHighWatermarks(dir).size).toBe(0);
  });
});
