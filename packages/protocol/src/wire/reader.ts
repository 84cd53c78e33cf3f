import { DecodeError } from './decode-error.js';
import { readInt64 } from './int64.js';

const NULL_UUID_BYTES = 16;
const UVARINT32_MAX_BYTES = 5;
const UVARLONG_MAX_BYTES = 10;

/**
 * A bounds-checked cursor over untrusted bytes. Every read checks the remaining length first
 * and throws DecodeError; lengths and counts are checked against the bytes left before
 * anything is allocated. Bytes and strings are views or copies of exactly the checked range.
 */
export class Reader {
  offset: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.offset = offset;
  }

  remaining(): number {
    return this.end - this.offset;
  }

  /** Claims `size` bytes and returns where they start. */
  take(size: number): number {
    if (size < 0 || size > this.end - this.offset) {
      throw new DecodeError(`need ${size} bytes at ${this.offset}, ${this.remaining()} left`);
    }
    const start = this.offset;
    this.offset += size;
    return start;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1));
  }

  bool(): boolean {
    return this.buf[this.take(1)] !== 0;
  }

  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.take(2));
  }

  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.take(4));
  }

  int64(): number {
    return readInt64(this.buf, this.take(8));
  }

  float64(): number {
    return this.buf.readDoubleBE(this.take(8));
  }

  uuid(): string {
    const start = this.take(NULL_UUID_BYTES);
    const hex = this.buf.toString('hex', start, start + NULL_UUID_BYTES);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** Unsigned LEB128 that must fit in 32 bits (KIP-482 lengths and tags). */
  uvarint(): number {
    let value = 0;
    for (let i = 0; i < UVARINT32_MAX_BYTES; i++) {
      const byte = this.buf[this.take(1)];
      if (i === UVARINT32_MAX_BYTES - 1 && byte > 0x0f) {
        throw new DecodeError(`unsigned varint at ${this.offset - 5} overflows 32 bits`);
      }
      value += (byte & 0x7f) * 2 ** (7 * i);
      if (byte < 0x80) return value;
    }
    throw new DecodeError(`unsigned varint at ${this.offset - 5} is longer than 5 bytes`);
  }

  /** Zigzag-signed 32-bit varint (record fields). */
  varint(): number {
    const n = this.uvarint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** Zigzag-signed 64-bit varint; values beyond the safe integer range are rejected. */
  varlong(): number {
    let value = 0;
    for (let i = 0; i < UVARLONG_MAX_BYTES; i++) {
      const byte = this.buf[this.take(1)];
      value += (byte & 0x7f) * 2 ** (7 * i);
      if (value > Number.MAX_SAFE_INTEGER) {
        throw new DecodeError(`varlong at ${this.offset} is outside the safe integer range`);
      }
      if (byte < 0x80) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    }
    throw new DecodeError(`varlong at ${this.offset} is longer than 10 bytes`);
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new DecodeError(`null string at ${this.offset - 2} in a non-nullable field`);
    return s;
  }

  nullableString(): string | null {
    return this.#utf8(this.int16());
  }

  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new DecodeError(`null compact string at ${this.offset - 1}`);
    return s;
  }

  compactNullableString(): string | null {
    return this.#utf8(this.uvarint() - 1);
  }

  bytes(): Buffer {
    return this.#nonNull(this.nullableBytes());
  }

  nullableBytes(): Buffer | null {
    return this.#view(this.int32());
  }

  compactBytes(): Buffer {
    return this.#nonNull(this.compactNullableBytes());
  }

  compactNullableBytes(): Buffer | null {
    return this.#view(this.uvarint() - 1);
  }

  /**
   * An array count, -1 for null. `minItemBytes` is the smallest encoding of one element: a
   * count that could not fit in the bytes left is rejected before the caller allocates.
   */
  arrayLength(minItemBytes: number): number {
    return this.#checkCount(this.int32(), minItemBytes);
  }

  compactArrayLength(minItemBytes: number): number {
    return this.#checkCount(this.uvarint() - 1, minItemBytes);
  }

  #checkCount(count: number, minItemBytes: number): number {
    if (count < -1) throw new DecodeError(`negative array length ${count} at ${this.offset}`);
    if (count * minItemBytes > this.remaining()) {
      throw new DecodeError(`array of ${count} cannot fit in ${this.remaining()} bytes`);
    }
    return count;
  }

  #utf8(length: number): string | null {
    if (length < -1) throw new DecodeError(`negative string length ${length} at ${this.offset}`);
    if (length === -1) return null;
    const start = this.take(length);
    return this.buf.toString('utf8', start, start + length);
  }

  /** A zero-copy view: record data must never be copied by the decoder. */
  #view(length: number): Buffer | null {
    if (length < -1) throw new DecodeError(`negative bytes length ${length} at ${this.offset}`);
    if (length === -1) return null;
    const start = this.take(length);
    return this.buf.subarray(start, start + length);
  }

  #nonNull(b: Buffer | null): Buffer {
    if (b === null) throw new DecodeError(`null bytes at ${this.offset} in a non-nullable field`);
    return b;
  }
}
