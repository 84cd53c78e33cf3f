import {
  BatchField,
  batchHeaderBytes,
  compressionMask,
  decodeRecordBatch,
  DecodeError,
  magicV2,
  verifyBatchCrc,
} from '@rill/protocol';

/** A record as the consumer hands it out. Keys, values and header values are views of the fetched bytes. */
export interface ConsumerRecord {
  readonly offset: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly { readonly key: string; readonly value: Buffer | null }[];
}

const NO_HEADERS: ConsumerRecord['headers'] = Object.freeze([]);
const VARINT_BYTES_MAX = 5;
const VARLONG_BYTES_MAX = 10;

/**
 * A record of an uncompressed batch, checked when decoded but sliced only when read: one
 * object per record instead of a record, two Buffers, a header array and a reader — at
 * hundreds of thousands of records a second that garbage was the consumer's main cost.
 */
class FetchedRecord implements ConsumerRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly #buf: Buffer;
  readonly #keyAt: number;
  readonly #keyLength: number;
  readonly #valueAt: number;
  readonly #valueLength: number;
  readonly #headersAt: number;
  readonly #headerCount: number;

  constructor(buf: Buffer, fields: RecordFields) {
    this.#buf = buf;
    this.offset = fields.offset;
    this.timestamp = fields.timestamp;
    this.#keyAt = fields.keyAt;
    this.#keyLength = fields.keyLength;
    this.#valueAt = fields.valueAt;
    this.#valueLength = fields.valueLength;
    this.#headersAt = fields.headersAt;
    this.#headerCount = fields.headerCount;
  }

  get key(): Buffer | null {
    return this.#keyLength < 0
      ? null
      : this.#buf.subarray(this.#keyAt, this.#keyAt + this.#keyLength);
  }

  get value(): Buffer | null {
    return this.#valueLength < 0
      ? null
      : this.#buf.subarray(this.#valueAt, this.#valueAt + this.#valueLength);
  }

  get headers(): ConsumerRecord['headers'] {
    if (this.#headerCount === 0) return NO_HEADERS;
    const cursor = { at: this.#headersAt };
    const headers: { key: string; value: Buffer | null }[] = [];
    for (let i = 0; i < this.#headerCount; i++) {
      const keyLength = readVarint(this.#buf, cursor, this.#buf.length);
      const key = this.#buf.toString('utf8', cursor.at, cursor.at + keyLength);
      cursor.at += keyLength;
      const valueLength = readVarint(this.#buf, cursor, this.#buf.length);
      headers.push({
        key,
        value: valueLength < 0 ? null : this.#buf.subarray(cursor.at, cursor.at + valueLength),
      });
      cursor.at += Math.max(0, valueLength);
    }
    return headers;
  }

  toJSON(): object {
    return {
      offset: this.offset,
      timestamp: this.timestamp,
      key: this.key,
      value: this.value,
      headers: this.headers,
    };
  }
}

interface RecordFields {
  offset: number;
  timestamp: number;
  keyAt: number;
  keyLength: number;
  valueAt: number;
  valueLength: number;
  headersAt: number;
  headerCount: number;
}

function readVarint(buf: Buffer, cursor: { at: number }, end: number): number {
  let value = 0;
  for (let shift = 0, i = 0; i < VARINT_BYTES_MAX; i++, shift += 7) {
    if (cursor.at >= end) throw new DecodeError(`varint runs past the record at ${cursor.at}`);
    const byte = buf[cursor.at++]!;
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return (value >>> 1) ^ -(value & 1);
  }
  throw new DecodeError(`varint longer than ${VARINT_BYTES_MAX} bytes at ${cursor.at}`);
}

function readVarlong(buf: Buffer, cursor: { at: number }, end: number): number {
  let value = 0;
  for (let scale = 1, i = 0; i < VARLONG_BYTES_MAX; i++, scale *= 0x80) {
    if (cursor.at >= end) throw new DecodeError(`varlong runs past the record at ${cursor.at}`);
    const byte = buf[cursor.at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (!Number.isSafeInteger(value))
        throw new DecodeError('varlong outside the safe integer range');
      return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    }
  }
  throw new DecodeError(`varlong longer than ${VARLONG_BYTES_MAX} bytes at ${cursor.at}`);
}

/** A length-prefixed byte field: -1 is null; anything else must fit before `end`. */
function readLength(buf: Buffer, cursor: { at: number }, end: number): number {
  const length = readVarint(buf, cursor, end);
  if (length < -1 || cursor.at + Math.max(0, length) > end)
    throw new DecodeError(`bad length ${length} at ${cursor.at}`);
  return length;
}

/** Reused for every record: the fields go straight into a FetchedRecord, so no object per parse. */
const scratch: RecordFields = {
  offset: 0,
  timestamp: 0,
  keyAt: 0,
  keyLength: 0,
  valueAt: 0,
  valueLength: 0,
  headersAt: 0,
  headerCount: 0,
};

function readRecord(
  buf: Buffer,
  cursor: { at: number },
  batchEnd: number,
  base: { offset: number; timestamp: number },
): RecordFields {
  const length = readVarint(buf, cursor, batchEnd);
  const end = cursor.at + length;
  if (length < 1 || end > batchEnd)
    throw new DecodeError(`record length ${length} does not fit the batch`);
  cursor.at++; // attributes: unused by magic 2
  const timestamp = base.timestamp + readVarlong(buf, cursor, end);
  const offset = base.offset + readVarint(buf, cursor, end);
  const keyLength = readLength(buf, cursor, end);
  const keyAt = cursor.at;
  cursor.at += Math.max(0, keyLength);
  const valueLength = readLength(buf, cursor, end);
  const valueAt = cursor.at;
  cursor.at += Math.max(0, valueLength);
  const headerCount = readVarint(buf, cursor, end);
  if (headerCount < 0 || headerCount * 2 > end - cursor.at)
    throw new DecodeError(`${headerCount} headers cannot fit`);
  const headersAt = cursor.at;
  for (let i = 0; i < headerCount; i++) {
    const keyLength = readLength(buf, cursor, end);
    if (keyLength < 0) throw new DecodeError('null record header key');
    cursor.at += keyLength;
    // Read first: `cursor.at += read(cursor)` would add to the position before the read.
    const valueLength = readLength(buf, cursor, end);
    cursor.at += Math.max(0, valueLength);
  }
  if (cursor.at !== end) throw new DecodeError(`record has ${end - cursor.at} trailing bytes`);
  scratch.offset = offset;
  scratch.timestamp = timestamp;
  scratch.keyAt = keyAt;
  scratch.keyLength = keyLength;
  scratch.valueAt = valueAt;
  scratch.valueLength = valueLength;
  scratch.headersAt = headersAt;
  scratch.headerCount = headerCount;
  return scratch;
}

/**
 * Appends the records at or after `fromOffset` of the batch at `pos` (`size` bytes) to
 * `out`. Untrusted input: the CRC is checked and every length bounded, so corruption is a
 * DecodeError. Compressed batches go through @rill/protocol, which inflates them.
 */
export function decodeBatchInto(
  buf: Buffer,
  pos: number,
  size: number,
  fromOffset: number,
  out: ConsumerRecord[],
): void {
  if (buf.readInt8(pos + BatchField.magic) !== magicV2)
    throw new DecodeError(`batch at ${pos} is not magic 2`);
  if ((buf.readInt16BE(pos + BatchField.attributes) & compressionMask) !== 0) {
    for (const record of decodeRecordBatch(buf, pos).records)
      if (record.offset >= fromOffset) out.push(record);
    return;
  }
  if (!verifyBatchCrc(buf, pos)) throw new DecodeError(`batch at ${pos} fails its CRC`);
  const base = {
    offset: Number(buf.readBigInt64BE(pos + BatchField.baseOffset)),
    timestamp: Number(buf.readBigInt64BE(pos + BatchField.baseTimestamp)),
  };
  const count = buf.readInt32BE(pos + BatchField.recordCount);
  const cursor = { at: pos + batchHeaderBytes };
  if (count < 0 || count * 7 > size - batchHeaderBytes)
    throw new DecodeError(`${count} records cannot fit in the batch`);
  for (let i = 0; i < count; i++) {
    const fields = readRecord(buf, cursor, pos + size, base);
    if (fields.offset >= fromOffset) out.push(new FetchedRecord(buf, fields));
  }
}
