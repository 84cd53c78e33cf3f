/**
 * RecordBatch v2 (magic 2) layout, from Kafka's DefaultRecordBatch. All integers big-endian.
 * The CRC-32C covers [attributes, end), so baseOffset, batchLength, partitionLeaderEpoch and
 * magic can be rewritten without recomputing it.
 */
export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

/** Bytes of the batch header; the records start here. */
export const batchHeaderBytes = 61;
/** baseOffset + batchLength: batchLength counts the bytes after these. */
export const batchLengthPrefixBytes = 12;
/** The smallest legal batchLength: a header with no records. */
export const batchLengthMin = batchHeaderBytes - batchLengthPrefixBytes;
export const crcStart = BatchField.attributes;
export const magicV2 = 2;

/** Attribute bits. */
export const compressionMask = 0x07;
export const timestampTypeBit = 0x08;
export const transactionalBit = 0x10;
export const controlBit = 0x20;

export const CompressionCodec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionName = keyof typeof CompressionCodec;
