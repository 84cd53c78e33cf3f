import { assert } from '@rill/base';
import type { ScalarType } from '../schema/types.js';
import { DecodeError } from '../wire/decode-error.js';
import type { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';

/**
 * How one value is read and written in one (version, flexible, nullable) combination. The
 * combination is resolved once at compile time, so the closures below contain no branching
 * on the schema — the per-call cost is the read itself.
 */
export interface ValueCodec {
  read(r: Reader): unknown;
  write(w: Writer, v: unknown): void;
  /** The smallest encoding, used to reject array counts that cannot fit. */
  readonly minBytes: number;
}

export interface Encoding {
  readonly flexible: boolean;
  readonly nullable: boolean;
}

const fixed = (minBytes: number, read: ValueCodec['read'], write: ValueCodec['write']): ValueCodec => ({
  read,
  write,
  minBytes,
});

const FIXED_SIZE: Record<string, ValueCodec> = {
  int8: fixed(1, (r) => r.int8(), (w, v) => w.int8(v as number)),
  bool: fixed(1, (r) => r.bool(), (w, v) => w.bool(v as boolean)),
  int16: fixed(2, (r) => r.int16(), (w, v) => w.int16(v as number)),
  uint16: fixed(2, (r) => r.uint16(), (w, v) => w.uint16(v as number)),
  int32: fixed(4, (r) => r.int32(), (w, v) => w.int32(v as number)),
  uint32: fixed(4, (r) => r.uint32(), (w, v) => w.uint32(v as number)),
  int64: fixed(8, (r) => r.int64(), (w, v) => w.int64(v as number)),
  float64: fixed(8, (r) => r.float64(), (w, v) => w.float64(v as number)),
  uuid: fixed(16, (r) => r.uuid(), (w, v) => w.uuid(v as string)),
};

function stringCodec({ flexible, nullable }: Encoding): ValueCodec {
  if (flexible) {
    return nullable
      ? fixed(1, (r) => r.compactNullableString(), (w, v) => w.compactNullableString(v as string | null))
      : fixed(1, (r) => r.compactString(), (w, v) => w.compactString(v as string));
  }
  return nullable
    ? fixed(2, (r) => r.nullableString(), (w, v) => w.nullableString(v as string | null))
    : fixed(2, (r) => r.string(), (w, v) => w.string(v as string));
}

function bytesCodec({ flexible, nullable }: Encoding): ValueCodec {
  if (flexible) {
    return nullable
      ? fixed(1, (r) => r.compactNullableBytes(), (w, v) => w.compactNullableBytes(v as Buffer | null))
      : fixed(1, (r) => r.compactBytes(), (w, v) => w.compactBytes(v as Buffer));
  }
  return nullable
    ? fixed(4, (r) => r.nullableBytes(), (w, v) => w.nullableBytes(v as Buffer | null))
    : fixed(4, (r) => r.bytes(), (w, v) => w.bytes(v as Buffer));
}

/**
 * Record data: decoded as a view into the frame, encoded by reference when the writer is
 * chunked. The record bytes are never copied by this codec.
 */
export function recordsCodec(encoding: Encoding): ValueCodec {
  const plain = bytesCodec(encoding);
  const writeLength = encoding.flexible
    ? (w: Writer, v: Buffer | null) => w.uvarint(v === null ? 0 : v.length + 1)
    : (w: Writer, v: Buffer | null) => w.int32(v === null ? -1 : v.length);
  return {
    read: plain.read,
    minBytes: plain.minBytes,
    write(w, v) {
      const records = v as Buffer | null;
      assert(records !== null || encoding.nullable, 'null records in a non-nullable version');
      writeLength(w, records);
      if (records !== null) w.blob(records);
    },
  };
}

export function scalarCodec(type: ScalarType, encoding: Encoding): ValueCodec {
  if (type === 'string') return stringCodec(encoding);
  if (type === 'bytes') return bytesCodec(encoding);
  const codec = FIXED_SIZE[type];
  assert(codec !== undefined, `no codec for ${type}`);
  return codec;
}

/** An array of `item`; the count is checked against the bytes left before allocating. */
export function arrayCodec(item: ValueCodec, { flexible, nullable }: Encoding): ValueCodec {
  assert(item.minBytes > 0, 'array items must take at least one byte');
  const minBytes = item.minBytes;
  const readLength = flexible
    ? (r: Reader) => r.compactArrayLength(minBytes)
    : (r: Reader) => r.arrayLength(minBytes);
  const writeLength = flexible
    ? (w: Writer, n: number) => w.uvarint(n + 1)
    : (w: Writer, n: number) => w.int32(n);
  return {
    minBytes: flexible ? 1 : 4,
    read(r) {
      const count = readLength(r);
      if (count === -1) {
        if (nullable) return null;
        throw new DecodeError(`null array at ${r.offset} in a non-nullable field`);
      }
      const items: unknown[] = new Array(count);
      for (let i = 0; i < count; i++) items[i] = item.read(r);
      return items;
    },
    write(w, v) {
      if (v === null) {
        assert(nullable, 'null array in a non-nullable version');
        return writeLength(w, -1);
      }
      const items = v as readonly unknown[];
      writeLength(w, items.length);
      for (const element of items) item.write(w, element);
    },
  };
}
