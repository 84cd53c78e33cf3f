import { BatchField, batchHeaderBytes, batchLengthPrefixBytes, controlBit, decodeRecordBatch, type DecodedRecord } from '@rill/protocol';

/** A record as the consumer hands it out; key, value and header values are views of the fetch response. */
export type ConsumerRecord = DecodedRecord;

export interface DecodedPartitionData {
  readonly records: ConsumerRecord[];
  /** The offset after the last complete batch (control and skipped batches included). */
  readonly nextOffset: number;
}

/**
 * Decodes the record batches of one partition in a Fetch response. Records below
 * `fetchOffset` (a batch starts before it) and control batches (transaction markers) are
 * skipped; a torn batch at the end — the broker cuts at the byte limit — is left for the
 * next fetch. Corrupt data throws DecodeError.
 */
export function decodePartitionRecords(data: Buffer, fetchOffset: number): DecodedPartitionData {
  const records: ConsumerRecord[] = [];
  let nextOffset = fetchOffset;
  for (let pos = 0; data.length - pos >= batchHeaderBytes; ) {
    const size = batchLengthPrefixBytes + data.readInt32BE(pos + BatchField.batchLength);
    if (size > data.length - pos) break;
    const attributes = data.readInt16BE(pos + BatchField.attributes);
    if ((attributes & controlBit) !== 0) {
      const baseOffset = Number(data.readBigInt64BE(pos + BatchField.baseOffset));
      nextOffset = Math.max(nextOffset, baseOffset + data.readInt32BE(pos + BatchField.lastOffsetDelta) + 1);
    } else {
      const batch = decodeRecordBatch(data, pos);
      for (const record of batch.records) if (record.offset >= fetchOffset) records.push(record);
      nextOffset = Math.max(nextOffset, batch.header.baseOffset + batch.header.lastOffsetDelta + 1);
    }
    pos += size;
  }
  return { records, nextOffset };
}
