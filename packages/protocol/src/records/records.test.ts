import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.js';
import { DecodeError } from '../wire/decode-error.js';
import { computeBatchCrc, readBatchHeader, setBaseOffset, setPartitionLeaderEpoch, verifyBatchCrc } from './batch-header.js';
import { UnsupportedCompressionError } from './compression.js';
import { BatchField, batchHeaderBytes } from './layout.js';
import { decodeRecordBatch, encodeRecordBatch } from './record-codec.js';
import { scanBatches } from './scan.js';
import { validateBatches } from './validate.js';

const limits = { maxBatchBytes: 1 << 20 };

function batch(count = 2, compression: 'none' | 'gzip' = 'none'): Buffer {
  return encodeRecordBatch({
    compression,
    producerId: 7,
    producerEpoch: 1,
    baseSequence: 10,
    records: Array.from({ length: count }, (_, i) => ({
      key: `key-${i}`,
      value: i === 1 ? null : `value-${i}`,
      headers: [{ key: 'trace', value: `t${i}` }],
      timestamp: 1_700_000_000_000 + i * 5,
    })),
  });
}

/** Recomputes the CRC after a deliberate edit inside the CRC-covered range. */
function reseal(buf: Buffer): Buffer {
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), BatchField.crc);
  return buf;
}

describe('RecordBatch v2', () => {
  it('encodes a header that validates and decodes back to the records', () => {
    const buf = batch(3);
    expect(readBatchHeader(buf, 0)).toMatchObject({
      magic: 2, lastOffsetDelta: 2, recordCount: 3, producerId: 7, producerEpoch: 1, baseSequence: 10,
      baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_010, batchLength: buf.length - 12,
    });
    const result = validateBatches(buf, limits);
    expect(result).toMatchObject({ ok: true, batchCount: 1, recordCount: 3, maxTimestamp: 1_700_000_000_010 });
    const { records } = decodeRecordBatch(buf);
    expect(records[1]).toEqual({
      offset: 1, timestamp: 1_700_000_000_005, key: Buffer.from('key-1'), value: null,
      headers: [{ key: 'trace', value: Buffer.from('t1') }],
    });
  });

  it('round-trips gzip batches', () => {
    const { records, header } = decodeRecordBatch(batch(50, 'gzip'));
    expect(header.attributes & 7).toBe(1);
    expect(records.map((r) => r.key?.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `key-${i}`));
  });

  it('rewrites base offset and leader epoch without breaking the CRC', () => {
    const buf = Buffer.concat([batch(), batch()]);
    setBaseOffset(buf, 0, 1234567890123);
    setPartitionLeaderEpoch(buf, 0, 9);
    expect(verifyBatchCrc(buf, 0)).toBe(true);
    expect(readBatchHeader(buf, 0)).toMatchObject({ baseOffset: 1234567890123, partitionLeaderEpoch: 9 });
    expect(decodeRecordBatch(buf).records[1]!.offset).toBe(1234567890124);
    expect(validateBatches(buf, limits)).toMatchObject({ ok: true, batchCount: 2, recordCount: 4 });
  });

  it('answers CORRUPT_MESSAGE for a CRC mismatch, truncation or short batchLength', () => {
    const flipped = batch();
    flipped[flipped.length - 1]! ^= 1;
    expect(validateBatches(flipped, limits)).toMatchObject({ ok: false, error: ErrorCode.CORRUPT_MESSAGE });
    expect(validateBatches(batch().subarray(0, 70), limits)).toMatchObject({ ok: false, error: 2 });
    expect(validateBatches(batch().subarray(0, 30), limits)).toMatchObject({ ok: false, error: 2 });
    const short = batch();
    short.writeInt32BE(10, BatchField.batchLength);
    expect(validateBatches(short, limits)).toMatchObject({ ok: false, error: 2 });
    expect(() => decodeRecordBatch(flipped)).toThrow(DecodeError);
  });

  it('answers INVALID_RECORD for magic 1 and for a count that disagrees with lastOffsetDelta', () => {
    const magic1 = batch();
    magic1.writeInt8(1, BatchField.magic);
    expect(validateBatches(magic1, limits)).toMatchObject({ ok: false, error: ErrorCode.INVALID_RECORD });
    const wrongCount = encodeRecordBatch({ records: [{ value: 'a', timestamp: 1 }] });
    wrongCount.writeInt32BE(5, BatchField.lastOffsetDelta);
    expect(validateBatches(reseal(wrongCount), limits)).toMatchObject({ ok: false, error: ErrorCode.INVALID_RECORD });
  });

  it('answers MESSAGE_TOO_LARGE for a batch above maxBatchBytes', () => {
    expect(validateBatches(batch(), { maxBatchBytes: 50 })).toMatchObject({ ok: false, error: ErrorCode.MESSAGE_TOO_LARGE });
  });

  it('scans whole batches and stops at a torn tail', () => {
    const two = Buffer.concat([batch(), batch(4)]);
    const torn = two.subarray(0, two.length - 3);
    const scan = scanBatches(torn);
    const first = scan.next();
    expect(first.done).toBe(false);
    const end = scan.next();
    expect(end).toEqual({ done: true, value: { validBytes: batch().length, stop: 'truncated' } });
    const all = [...scanBatches(two)];
    expect(all.map((b) => b.header.recordCount)).toEqual([2, 4]);
  });

  it('throws a typed error for snappy/lz4/zstd and DecodeError for garbage records', () => {
    const snappy = batch();
    snappy.writeInt16BE(2, BatchField.attributes);
    expect(() => decodeRecordBatch(reseal(snappy))).toThrow(UnsupportedCompressionError);
    const garbage = batch();
    garbage.fill(0xff, batchHeaderBytes);
    expect(() => decodeRecordBatch(reseal(garbage))).toThrow(DecodeError);
  });
});
