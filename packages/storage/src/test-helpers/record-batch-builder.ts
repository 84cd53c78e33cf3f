/**
 * Test-only: builds minimal valid RecordBatch v2 buffers (uncompressed, no headers, null
 * keys) so storage tests can append real batches. Not part of the package build.
 */
import { crc32c } from '@node-rs/crc32';

export interface BatchSpec {
  values: readonly Buffer[];
  /** Timestamp of the first record; record i gets baseTimestamp + i * timestampStepMs. */
  baseTimestamp?: number;
  timestampStepMs?: number;
}

export function buildBatch(spec: BatchSpec): Buffer {
  const baseTimestamp = spec.baseTimestamp ?? 1_700_000_000_000;
  const step = spec.timestampStepMs ?? 0;
  const records = spec.values.map((value, i) => encodeRecord(i, i * step, value));
  const body = Buffer.concat(records);
  const header = Buffer.alloc(61);
  const count = spec.values.length;
  header.writeBigInt64BE(0n, 0);
  header.writeInt32BE(61 - 12 + body.length, 8);
  header.writeInt32BE(0, 12);
  header.writeInt8(2, 16);
  header.writeInt16BE(0, 21);
  header.writeInt32BE(count - 1, 23);
  header.writeBigInt64BE(BigInt(baseTimestamp), 27);
  header.writeBigInt64BE(BigInt(baseTimestamp + (count - 1) * step), 35);
  header.writeBigInt64BE(-1n, 43);
  header.writeInt16BE(-1, 51);
  header.writeInt32BE(-1, 53);
  header.writeInt32BE(count, 57);
  const batch = Buffer.concat([header, body]);
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  return batch;
}

/** `count` records of `valueBytes` each, filled with a byte derived from `seed`. */
export function buildBatchOf(
  count: number,
  valueBytes: number,
  seed = 1,
  timestamps: { baseTimestamp?: number; timestampStepMs?: number } = {},
): Buffer {
  const values = Array.from({ length: count }, (_, i) =>
    Buffer.alloc(valueBytes, (seed * 31 + i) & 0xff),
  );
  return buildBatch({ values, ...timestamps });
}

function encodeRecord(offsetDelta: number, timestampDelta: number, value: Buffer): Buffer {
  const inner = Buffer.concat([
    Buffer.from([0]),
    zigzagVarint(timestampDelta),
    zigzagVarint(offsetDelta),
    zigzagVarint(-1),
    zigzagVarint(value.length),
    value,
    zigzagVarint(0),
  ]);
  return Buffer.concat([zigzagVarint(inner.length), inner]);
}

function zigzagVarint(value: number): Buffer {
  let n = BigInt(value);
  n = n >= 0n ? n << 1n : ((-n) << 1n) - 1n;
  const bytes: number[] = [];
  while (n >= 0x80n) {
    bytes.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  bytes.push(Number(n));
  return Buffer.from(bytes);
}
