/**
 * Writes records of a RecordBatch v2 straight into a batch buffer: no intermediate objects
 * or Buffers per record, since at a million records a second every allocation shows.
 * Layout per record: varint length, int8 attributes, varlong timestampDelta, varint
 * offsetDelta, varint key length + key, varint value length + value, varint header count,
 * then per header varint key length + key, varint value length + value.
 */

export type Bytes = Buffer | string | null;

export interface RecordHeader {
  readonly key: string;
  readonly value: Bytes;
}

/** A record with its byte lengths measured once, before it is placed in a batch. */
export interface MeasuredRecord {
  readonly key: Bytes;
  readonly keyBytes: number;
  readonly value: Bytes;
  readonly valueBytes: number;
  readonly headers: readonly RecordHeader[];
  /** Encoded size of the header section (count and every header). */
  readonly headersBytes: number;
  /** Body bytes that do not depend on the record's place in a batch (all but the two deltas). */
  readonly fixedBytes: number;
  readonly timestamp: number;
}

const TWO_POW_31 = 0x8000_0000;

/** Byte length of a key or value; -1 encodes null. */
export function byteLength(value: Bytes | undefined): number {
  if (value === null || value === undefined) return -1;
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
}

/** Size of an unsigned varint. */
function uvarintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x20_0000) return 3;
  if (v < 0x1000_0000) return 4;
  let size = 5;
  for (let rest = Math.floor(v / 0x8_0000_0000); rest > 0; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

/** Zigzag: small magnitudes of either sign become small unsigned numbers. */
function zigzag(v: number): number {
  if (v >= -0x4000_0000 && v < 0x4000_0000) return ((v << 1) ^ (v >> 31)) >>> 0;
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

export function varintSize(v: number): number {
  return uvarintSize(zigzag(v));
}

export function writeVarint(buf: Buffer, pos: number, v: number): number {
  let z = zigzag(v);
  while (z >= TWO_POW_31) {
    buf[pos++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

export function sizedBytes(length: number): number {
  return length < 0 ? 1 : varintSize(length) + length;
}

function writeBytes(buf: Buffer, pos: number, value: Bytes, length: number): number {
  pos = writeVarint(buf, pos, length);
  if (value === null || length <= 0) return pos;
  if (typeof value === 'string') return pos + buf.write(value, pos, length, 'utf8');
  // TypedArray#set: for small values cheaper than Buffer#copy's argument handling.
  buf.set(value, pos);
  return pos + length;
}

export function measureHeaders(headers: readonly RecordHeader[]): number {
  let size = varintSize(headers.length);
  for (const header of headers)
    size += sizedBytes(byteLength(header.key)) + sizedBytes(byteLength(header.value));
  return size;
}

/** Record body size (everything after its length varint). */
export function recordBodySize(
  record: MeasuredRecord,
  offsetDelta: number,
  timestampDelta: number,
): number {
  return record.fixedBytes + varintSize(timestampDelta) + varintSize(offsetDelta);
}

/** fixedBytes of a record: attributes, key, value and headers with their lengths. */
export function fixedBytesOf(keyBytes: number, valueBytes: number, headersBytes: number): number {
  return 1 + sizedBytes(keyBytes) + sizedBytes(valueBytes) + headersBytes;
}

/** Whole encoded size of a record at this offset and timestamp delta. */
export function recordSize(
  record: MeasuredRecord,
  offsetDelta: number,
  timestampDelta: number,
): number {
  const body = recordBodySize(record, offsetDelta, timestampDelta);
  return varintSize(body) + body;
}

/**
 * Writes one record at `pos`; the caller checked that it fits and passes the body size it
 * measured for that (recordBodySize). Returns the position after the record.
 */
export function writeRecord(
  buf: Buffer,
  pos: number,
  record: MeasuredRecord,
  placement: { offsetDelta: number; timestampDelta: number; bodyBytes: number },
): number {
  const { offsetDelta, timestampDelta } = placement;
  pos = writeVarint(buf, pos, placement.bodyBytes);
  buf[pos++] = 0;
  pos = writeVarint(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeBytes(buf, pos, record.key, record.keyBytes);
  pos = writeBytes(buf, pos, record.value, record.valueBytes);
  pos = writeVarint(buf, pos, record.headers.length);
  for (const header of record.headers) {
    pos = writeBytes(buf, pos, header.key, byteLength(header.key));
    pos = writeBytes(buf, pos, header.value, byteLength(header.value));
  }
  return pos;
}
