import { describe, expect, it } from 'vitest';
import {
  batchBaseOffset,
  batchCrcMatches,
  batchLastOffsetDelta,
  batchMagic,
  batchMaxTimestamp,
  batchPartitionLeaderEpoch,
  batchRecordCount,
  batchSizeBytes,
  setBatchBaseOffset,
  setBatchPartitionLeaderEpoch,
} from './batch-header.js';
import { buildBatch, buildBatchOf } from './test-helpers/record-batch-builder.js';

describe('batch header', () => {
  it('reads the fields storage needs', () => {
    const batch = buildBatchOf(3, 10, 1, { baseTimestamp: 1000, timestampStepMs: 5 });
    expect(batchSizeBytes(batch, 0)).toBe(batch.length);
    expect(batchMagic(batch, 0)).toBe(2);
    expect(batchLastOffsetDelta(batch, 0)).toBe(2);
    expect(batchRecordCount(batch, 0)).toBe(3);
    expect(batchMaxTimestamp(batch, 0)).toBe(1010);
    expect(batchCrcMatches(batch, 0, batch.length)).toBe(true);
  });

  it('rewrites base offset and leader epoch without breaking the CRC', () => {
    const batch = buildBatch({ values: [Buffer.from('a')] });
    const offset = 2 ** 40 + 12345;
    setBatchBaseOffset(batch, 0, offset);
    setBatchPartitionLeaderEpoch(batch, 0, 77);
    expect(batchBaseOffset(batch, 0)).toBe(offset);
    expect(batch.readBigInt64BE(0)).toBe(BigInt(offset));
    expect(batchPartitionLeaderEpoch(batch, 0)).toBe(77);
    expect(batchCrcMatches(batch, 0, batch.length)).toBe(true);
  });

  it('detects a flipped bit inside the CRC range', () => {
    const batch = buildBatchOf(2, 20);
    batch[batch.length - 3] ^= 0x10;
    expect(batchCrcMatches(batch, 0, batch.length)).toBe(false);
  });
});
