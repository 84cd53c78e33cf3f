import { crc32c } from '@node-rs/crc32';
import { assert } from '@rill/base';
import { DecodeError } from '../wire/decode-error.js';
import { readInt64, writeInt64 } from '../wire/int64.js';
import { BatchField, batchHeaderBytes, batchLengthPrefixBytes, crcStart } from './layout.js';

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/**
 * Reads the 61-byte header at `pos` as a v2 header (check `magic` before trusting the rest).
 * Throws DecodeError if the header is not all there or an int64 is outside the safe range.
 */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader {
  if (pos < 0 || buf.length - pos < batchHeaderBytes) {
    throw new DecodeError(`batch header at ${pos} needs ${batchHeaderBytes} bytes, ${buf.length - pos} left`);
  }
  return {
    baseOffset: readInt64(buf, pos + BatchField.baseOffset),
    batchLength: buf.readInt32BE(pos + BatchField.batchLength),
    partitionLeaderEpoch: buf.readInt32BE(pos + BatchField.partitionLeaderEpoch),
    magic: buf.readInt8(pos + BatchField.magic),
    crc: buf.readUInt32BE(pos + BatchField.crc),
    attributes: buf.readInt16BE(pos + BatchField.attributes),
    lastOffsetDelta: buf.readInt32BE(pos + BatchField.lastOffsetDelta),
    baseTimestamp: readInt64(buf, pos + BatchField.baseTimestamp),
    maxTimestamp: readInt64(buf, pos + BatchField.maxTimestamp),
    producerId: readInt64(buf, pos + BatchField.producerId),
    producerEpoch: buf.readInt16BE(pos + BatchField.producerEpoch),
    baseSequence: buf.readInt32BE(pos + BatchField.baseSequence),
    recordCount: buf.readInt32BE(pos + BatchField.recordCount),
  };
}

/** Whole batch size including the 12-byte prefix. */
export function batchSizeOf(header: BatchHeader): number {
  return batchLengthPrefixBytes + header.batchLength;
}

/** Assigns the batch's first offset in place; outside the CRC, so the CRC stays valid. */
export function setBaseOffset(buf: Buffer, pos: number, offset: number): void {
  assert(offset >= 0, `negative base offset ${offset}`);
  writeInt64(buf, pos + BatchField.baseOffset, offset);
}

/** Stamps the leader epoch in place; outside the CRC, so the CRC stays valid. */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + BatchField.partitionLeaderEpoch);
}

/** CRC-32C of [attributes, end) for the batch at `pos`, whose total size is `size`. */
export function computeBatchCrc(buf: Buffer, pos: number, size: number): number {
  return crc32c(buf.subarray(pos + crcStart, pos + size));
}

/** Whether the batch at `pos` is wholly present and its stored CRC matches its bytes. */
export function verifyBatchCrc(buf: Buffer, pos: number): boolean {
  if (pos < 0 || buf.length - pos < batchHeaderBytes) return false;
  const size = batchLengthPrefixBytes + buf.readInt32BE(pos + BatchField.batchLength);
  if (size < batchHeaderBytes || size > buf.length - pos) return false;
  return computeBatchCrc(buf, pos, size) === buf.readUInt32BE(pos + BatchField.crc);
}
