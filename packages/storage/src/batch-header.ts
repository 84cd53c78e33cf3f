/**
 * The few RecordBatch v2 header fields storage reads and rewrites, as cheap accessors over
 * @rill/protocol's layout (one copy of the format). Storage never decodes records, and
 * these read single fields so the append and recovery paths allocate nothing per batch.
 */
import {
  BatchField,
  batchHeaderBytes,
  batchLengthPrefixBytes,
  computeBatchCrc,
  magicV2,
  setBaseOffset,
  setPartitionLeaderEpoch,
} from '@rill/protocol';

export { batchHeaderBytes, batchLengthPrefixBytes, magicV2 };

const two32 = 0x1_0000_0000;

/** int64 as a JS number: offsets and timestamps stay far below 2^53. */
function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * two32 + buf.readUInt32BE(at + 4);
}

export function batchBaseOffset(buf: Buffer, at: number): number {
  return readInt64(buf, at + BatchField.baseOffset);
}

/** Whole batch size on disk, including the 12-byte prefix. */
export function batchSizeBytes(buf: Buffer, at: number): number {
  return batchLengthPrefixBytes + buf.readInt32BE(at + BatchField.batchLength);
}

export function batchMagic(buf: Buffer, at: number): number {
  return buf.readInt8(at + BatchField.magic);
}

export function batchLastOffsetDelta(buf: Buffer, at: number): number {
  return buf.readInt32BE(at + BatchField.lastOffsetDelta);
}

export function batchMaxTimestamp(buf: Buffer, at: number): number {
  return readInt64(buf, at + BatchField.maxTimestamp);
}

export function batchRecordCount(buf: Buffer, at: number): number {
  return buf.readInt32BE(at + BatchField.recordCount);
}

export function batchPartitionLeaderEpoch(buf: Buffer, at: number): number {
  return buf.readInt32BE(at + BatchField.partitionLeaderEpoch);
}

/** Both fields lie outside the CRC, so rewriting them keeps the batch valid. */
export const setBatchBaseOffset = setBaseOffset;
export const setBatchPartitionLeaderEpoch = setPartitionLeaderEpoch;

/** CRC-32C of [attributes, end) against the stored crc; `size` is the whole batch. */
export function batchCrcMatches(buf: Buffer, at: number, size: number): boolean {
  return computeBatchCrc(buf, at, size) === buf.readUInt32BE(at + BatchField.crc);
}
