/**
 * The few RecordBatch v2 header fields storage reads and rewrites (layout: Kafka's
 * DefaultRecordBatch; all integers big-endian). Storage never decodes records.
 *
 * Stand-in: this will be replaced by @rill/protocol's record-batch module once it lands.
 * Nothing else in this package knows the header layout, so the swap is one import.
 */
import { crc32c } from '@node-rs/crc32';

/** Bytes of a v2 batch header; the records start here. */
export const batchHeaderBytes = 61;
/** baseOffset + batchLength: batchLength counts the bytes after these. */
export const batchLengthPrefixBytes = 12;
export const magicV2 = 2;

const baseOffsetAt = 0;
const batchLengthAt = 8;
const partitionLeaderEpochAt = 12;
const magicAt = 16;
const crcAt = 17;
/** The CRC covers [attributes, end): baseOffset and leader epoch may change without it. */
const crcStartAt = 21;
const lastOffsetDeltaAt = 23;
const maxTimestampAt = 35;
const recordCountAt = 57;

const two32 = 0x1_0000_0000;

/** int64 as a JS number: offsets and timestamps stay far below 2^53. */
function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * two32 + buf.readUInt32BE(at + 4);
}

function writeUint64(buf: Buffer, at: number, value: number): void {
  buf.writeUInt32BE(Math.floor(value / two32), at);
  buf.writeUInt32BE(value % two32, at + 4);
}

export function batchBaseOffset(buf: Buffer, at: number): number {
  return readInt64(buf, at + baseOffsetAt);
}

/** Whole batch size on disk, including the 12-byte prefix. */
export function batchSizeBytes(buf: Buffer, at: number): number {
  return batchLengthPrefixBytes + buf.readInt32BE(at + batchLengthAt);
}

export function batchMagic(buf: Buffer, at: number): number {
  return buf.readInt8(at + magicAt);
}

export function batchLastOffsetDelta(buf: Buffer, at: number): number {
  return buf.readInt32BE(at + lastOffsetDeltaAt);
}

export function batchMaxTimestamp(buf: Buffer, at: number): number {
  return readInt64(buf, at + maxTimestampAt);
}

export function batchRecordCount(buf: Buffer, at: number): number {
  return buf.readInt32BE(at + recordCountAt);
}

export function batchPartitionLeaderEpoch(buf: Buffer, at: number): number {
  return buf.readInt32BE(at + partitionLeaderEpochAt);
}

/** Both fields lie outside the CRC, so rewriting them keeps the batch valid. */
export function setBatchBaseOffset(buf: Buffer, at: number, baseOffset: number): void {
  writeUint64(buf, at + baseOffsetAt, baseOffset);
}

export function setBatchPartitionLeaderEpoch(buf: Buffer, at: number, epoch: number): void {
  buf.writeInt32BE(epoch, at + partitionLeaderEpochAt);
}

/** CRC-32C of [attributes, end) against the stored crc; `size` is the whole batch. */
export function batchCrcMatches(buf: Buffer, at: number, size: number): boolean {
  const computed = crc32c(buf.subarray(at + crcStartAt, at + size));
  return computed === buf.readUInt32BE(at + crcAt);
}
