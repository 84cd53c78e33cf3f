import { BatchField, batchHeaderBytes, batchLengthPrefixBytes, controlBit } from '@rill/protocol';
import { decodeBatchInto, type ConsumerRecord } from './record-decoder.js';

export type { ConsumerRecord } from './record-decoder.js';

/**
 * The offset after the last complete batch in a partition's fetched data (control batches
 * included), from the batch headers alone, or `fetchOffset` if no batch is complete. Cheap:
 * the fetcher asks for more with it before any record is decoded.
 */
export function nextOffsetAfter(data: Buffer, fetchOffset: number): number {
  let nextOffset = fetchOffset;
  for (let pos = 0; data.length - pos >= batchHeaderBytes;) {
    const size = batchLengthPrefixBytes + data.readInt32BE(pos + BatchField.batchLength);
    if (size < batchHeaderBytes || size > data.length - pos) break;
    const baseOffset = Number(data.readBigInt64BE(pos + BatchField.baseOffset));
    nextOffset = Math.max(
      nextOffset,
      baseOffset + data.readInt32BE(pos + BatchField.lastOffsetDelta) + 1,
    );
    pos += size;
  }
  return nextOffset;
}

/**
 * Decodes the record batches of one partition in a Fetch response. Records below
 * `fetchOffset` (a batch starts before it) and control batches (transaction markers) are
 * skipped; a torn batch at the end — the broker cuts at the byte limit — is left for the
 * next fetch. Corrupt data throws DecodeError.
 */
export function decodePartitionRecords(data: Buffer, fetchOffset: number): ConsumerRecord[] {
  const records: ConsumerRecord[] = [];
  for (let pos = 0; data.length - pos >= batchHeaderBytes;) {
    const size = batchLengthPrefixBytes + data.readInt32BE(pos + BatchField.batchLength);
    if (size < batchHeaderBytes || size > data.length - pos) break;
    const attributes = data.readInt16BE(pos + BatchField.attributes);
    if ((attributes & controlBit) === 0) decodeBatchInto(data, pos, size, fetchOffset, records);
    pos += size;
  }
  return records;
}
