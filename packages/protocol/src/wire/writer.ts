import { assert } from '@rill/base';
import { writeInt64 } from './int64.js';

const INITIAL_SIZE = 256;
const TWO_POW_32 = 0x1_0000_0000;
/** Buffers at least this large are passed by reference in chunked mode instead of copied. */
const BY_REFERENCE_MIN_BYTES = 1024;

/**
 * A growable encoder. In chunked mode, large byte blobs (record data) are not copied: the
 * bytes written so far become one chunk, the blob another, and writing resumes after it.
 * Our own values are trusted; a value the wire cannot carry is a bug and fails an assert.
 */
export class Writer {
  #buf: Buffer;
  #start = 0;
  #pos = 0;
  readonly #chunks: Buffer[] = [];

  constructor(initialSize = INITIAL_SIZE) {
    this.#buf = Buffer.allocUnsafe(initialSize);
  }

  /**
   * Reserves `size` bytes and returns where they start. Callers must take the position
   * before touching #buf: it may be replaced here.
   */
  #ensure(size: number): number {
    if (this.#pos + size > this.#buf.length) {
      const pending = this.#pos - this.#start;
      const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, pending + size));
      this.#buf.copy(next, 0, this.#start, this.#pos);
      this.#buf = next;
      this.#start = 0;
      this.#pos = pending;
    }
    const at = this.#pos;
    this.#pos += size;
    return at;
  }

  int8(v: number): void {
    const at = this.#ensure(1);
    this.#buf.writeInt8(v, at);
  }

  bool(v: boolean): void {
    const at = this.#ensure(1);
    this.#buf[at] = v ? 1 : 0;
  }

  int16(v: number): void {
    const at = this.#ensure(2);
    this.#buf.writeInt16BE(v, at);
  }

  uint16(v: number): void {
    const at = this.#ensure(2);
    this.#buf.writeUInt16BE(v, at);
  }

  int32(v: number): void {
    const at = this.#ensure(4);
    this.#buf.writeInt32BE(v, at);
  }

  uint32(v: number): void {
    const at = this.#ensure(4);
    this.#buf.writeUInt32BE(v, at);
  }

  int64(v: number): void {
    const at = this.#ensure(8);
    writeInt64(this.#buf, at, v);
  }

  float64(v: number): void {
    const at = this.#ensure(8);
    this.#buf.writeDoubleBE(v, at);
  }

  uuid(v: string): void {
    const hex = v.replaceAll('-', '');
    assert(/^[0-9a-fA-F]{32}$/.test(hex), `not a uuid: ${v}`);
    const at = this.#ensure(16);
    this.#buf.write(hex, at, 'hex');
  }

  uvarint(v: number): void {
    assert(Number.isInteger(v) && v >= 0 && v < TWO_POW_32, `uvarint out of range: ${v}`);
    this.#uvarlong(v);
  }

  varint(v: number): void {
    assert(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31, `varint out of range: ${v}`);
    this.#uvarlong(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  varlong(v: number): void {
    assert(Number.isSafeInteger(v) && Math.abs(v) < 2 ** 52, `varlong out of range: ${v}`);
    this.#uvarlong(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  #uvarlong(v: number): void {
    let rest = v;
    while (rest >= 0x80) {
      const at = this.#ensure(1);
      this.#buf[at] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    const at = this.#ensure(1);
    this.#buf[at] = rest;
  }

  string(v: string): void {
    this.nullableString(v);
  }

  nullableString(v: string | null): void {
    if (v === null) return this.int16(-1);
    const size = Buffer.byteLength(v, 'utf8');
    assert(size <= 0x7fff, `string of ${size} bytes is too long for an int16 length`);
    this.int16(size);
    const at = this.#ensure(size);
    this.#buf.write(v, at, size, 'utf8');
  }

  compactString(v: string): void {
    this.compactNullableString(v);
  }

  compactNullableString(v: string | null): void {
    if (v === null) return this.uvarint(0);
    const size = Buffer.byteLength(v, 'utf8');
    this.uvarint(size + 1);
    const at = this.#ensure(size);
    this.#buf.write(v, at, size, 'utf8');
  }

  bytes(v: Buffer): void {
    this.nullableBytes(v);
  }

  nullableBytes(v: Buffer | null): void {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    this.raw(v);
  }

  compactBytes(v: Buffer): void {
    this.compactNullableBytes(v);
  }

  compactNullableBytes(v: Buffer | null): void {
    if (v === null) return this.uvarint(0);
    this.uvarint(v.length + 1);
    this.raw(v);
  }

  /** Appends bytes by copying them. */
  raw(v: Buffer): void {
    const at = this.#ensure(v.length);
    v.copy(this.#buf, at);
  }

  /**
   * Appends a blob that the caller keeps alive and unchanged until the chunks are written:
   * large ones go by reference (see finishChunks), small ones are copied.
   */
  blob(v: Buffer): void {
    if (v.length < BY_REFERENCE_MIN_BYTES) return this.raw(v);
    this.#cut();
    this.#chunks.push(v);
  }

  #cut(): void {
    if (this.#pos > this.#start) this.#chunks.push(this.#buf.subarray(this.#start, this.#pos));
    this.#start = this.#pos;
  }

  /** Everything written, as one Buffer (blobs are copied in). */
  finish(): Buffer {
    if (this.#chunks.length === 0) return this.#buf.subarray(this.#start, this.#pos);
    return Buffer.concat(this.finishChunks());
  }

  /** Everything written, as consecutive Buffers; large blobs appear by reference. */
  finishChunks(): Buffer[] {
    this.#cut();
    return this.#chunks;
  }
}
