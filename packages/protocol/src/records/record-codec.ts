import { assert } from '@rill/base';
import { DecodeError } from '../wire/decode-error.js';
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { writeInt64 } from '../wire/int64.js';
import { computeBatchCrc, readBatchHeader, verifyBatchCrc, type BatchHeader } from './batch-header.js';
import { compress, decompress } from './compression.js';
import {
  BatchField,
  batchHeaderBytes,
  batchLengthPrefixBytes,
  compressionMask,
  CompressionCodec,
  magicV2,
  type CompressionName,
} from './layout.js';

type Bytes = Buffer | string | null;

export interface RecordHeaderInput {
  key: string;
  value: Bytes;
}

export interface RecordInput {
  key?: Bytes;
  value: Bytes;
  headers?: readonly RecordHeaderInput[];
  /** Milliseconds since the epoch (CreateTime). */
  timestamp: number;
}

export interface RecordBatchInput {
  baseOffset?: number;
  records: readonly RecordInput[];
  compression?: CompressionName;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

/** attributes, timestampDelta, offsetDelta, key length, value length, header count: 1 byte each. */
const RECORD_BODY_MIN_BYTES = 6;
/** A header's key length and value length. */
const HEADER_MIN_BYTES = 2;

/** Encodes one RecordBatch v2 the way a producer would (for clients and tests). */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const records = input.records;
  assert(records.length > 0, 'a batch needs at least one record');
  const baseTimestamp = records[0]!.timestamp;
  const maxTimestamp = Math.max(...records.map((r) => r.timestamp));
  const body = new Writer();
  records.forEach((record, i) => writeRecord(body, record, i, record.timestamp - baseTimestamp));
  const codec = input.compression ?? 'none';
  const payload = compress(codec, body.finish());
  const size = batchHeaderBytes + payload.length;
  const buf = Buffer.alloc(size);
  writeInt64(buf, BatchField.baseOffset, input.baseOffset ?? 0);
  buf.writeInt32BE(size - batchLengthPrefixBytes, BatchField.batchLength);
  buf.writeInt32BE(input.partitionLeaderEpoch ?? 0, BatchField.partitionLeaderEpoch);
  buf.writeInt8(magicV2, BatchField.magic);
  buf.writeInt16BE(CompressionCodec[codec], BatchField.attributes);
  buf.writeInt32BE(records.length - 1, BatchField.lastOffsetDelta);
  writeInt64(buf, BatchField.baseTimestamp, baseTimestamp);
  writeInt64(buf, BatchField.maxTimestamp, maxTimestamp);
  writeInt64(buf, BatchField.producerId, input.producerId ?? -1);
  buf.writeInt16BE(input.producerEpoch ?? -1, BatchField.producerEpoch);
  buf.writeInt32BE(input.baseSequence ?? -1, BatchField.baseSequence);
  buf.writeInt32BE(records.length, BatchField.recordCount);
  payload.copy(buf, batchHeaderBytes);
  buf.writeUInt32BE(computeBatchCrc(buf, 0, size), BatchField.crc);
  return buf;
}

function toBytes(v: Bytes | undefined): Buffer | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

function writeVarBytes(w: Writer, v: Buffer | null): void {
  if (v === null) return w.varint(-1);
  w.varint(v.length);
  w.raw(v);
}

function writeRecord(w: Writer, record: RecordInput, offsetDelta: number, timestampDelta: number): void {
  const r = new Writer(64);
  r.int8(0);
  r.varlong(timestampDelta);
  r.varint(offsetDelta);
  writeVarBytes(r, toBytes(record.key));
  writeVarBytes(r, toBytes(record.value));
  const headers = record.headers ?? [];
  r.varint(headers.length);
  for (const header of headers) {
    writeVarBytes(r, Buffer.from(header.key, 'utf8'));
    writeVarBytes(r, toBytes(header.value));
  }
  const bytes = r.finish();
  w.varint(bytes.length);
  w.raw(bytes);
}

/**
 * Decodes the batch at `pos` into records. Untrusted input: any fault — bad CRC, counts
 * that cannot fit, lengths past the end — is a DecodeError. Uncompressed keys and values are
 * views into `buf`.
 */
export function decodeRecordBatch(buf: Buffer, pos = 0): { header: BatchHeader; records: DecodedRecord[] } {
  const header = readBatchHeader(buf, pos);
  if (header.magic !== magicV2) throw new DecodeError(`batch magic ${header.magic} is not 2`);
  if (!verifyBatchCrc(buf, pos)) throw new DecodeError(`batch at ${pos} is truncated or fails its CRC`);
  const end = pos + batchLengthPrefixBytes + header.batchLength;
  const payload = decompress(header.attributes & compressionMask, buf.subarray(pos + batchHeaderBytes, end));
  const r = new Reader(payload);
  if (header.recordCount < 0 || header.recordCount * (RECORD_BODY_MIN_BYTES + 1) > r.remaining()) {
    throw new DecodeError(`${header.recordCount} records cannot fit in ${r.remaining()} bytes`);
  }
  const records: DecodedRecord[] = [];
  for (let i = 0; i < header.recordCount; i++) records.push(readRecord(r, header));
  return { header, records };
}

/** Every batch in a blob such as a Fetch partition's records (a torn last batch is skipped). */
export function decodeRecordBatches(buf: Buffer): DecodedRecord[] {
  const records: DecodedRecord[] = [];
  for (let pos = 0; buf.length - pos >= batchHeaderBytes; ) {
    const size = batchLengthPrefixBytes + buf.readInt32BE(pos + BatchField.batchLength);
    if (size > buf.length - pos) break;
    records.push(...decodeRecordBatch(buf, pos).records);
    pos += size;
  }
  return records;
}

function readRecord(r: Reader, header: BatchHeader): DecodedRecord {
  const length = r.varint();
  if (length < RECORD_BODY_MIN_BYTES) throw new DecodeError(`record length ${length} is too small`);
  const start = r.take(length);
  const body = new Reader(r.buf, start, start + length);
  body.int8();
  const timestamp = header.baseTimestamp + body.varlong();
  const offset = header.baseOffset + body.varint();
  const key = readVarBytes(body);
  const value = readVarBytes(body);
  const headerCount = body.varint();
  if (headerCount < 0 || headerCount * HEADER_MIN_BYTES > body.remaining()) {
    throw new DecodeError(`${headerCount} record headers cannot fit in ${body.remaining()} bytes`);
  }
  const headers: DecodedRecord['headers'] = [];
  for (let i = 0; i < headerCount; i++) {
    const headerKey = readVarBytes(body);
    if (headerKey === null) throw new DecodeError('null record header key');
    headers.push({ key: headerKey.toString('utf8'), value: readVarBytes(body) });
  }
  if (body.remaining() !== 0) throw new DecodeError(`record has ${body.remaining()} trailing bytes`);
  if (!Number.isSafeInteger(timestamp) || !Number.isSafeInteger(offset)) {
    throw new DecodeError('record timestamp or offset is outside the safe integer range');
  }
  return { offset, timestamp, key, value, headers };
}

function readVarBytes(r: Reader): Buffer | null {
  const length = r.varint();
  if (length < -1) throw new DecodeError(`negative length ${length}`);
  if (length === -1) return null;
  const start = r.take(length);
  return r.buf.subarray(start, start + length);
}
