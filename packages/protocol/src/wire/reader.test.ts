import { describe, expect, it } from 'vitest';
import { DecodeError } from './decode-error.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

describe('Reader', () => {
  it('rejects an array count that cannot fit before allocating', () => {
    const frame = Buffer.alloc(40);
    frame.writeInt32BE(0x7fffffff, 0);
    expect(() => new Reader(frame).arrayLength(1)).toThrow(DecodeError);
    frame.writeInt32BE(-2, 0);
    expect(() => new Reader(frame).arrayLength(1)).toThrow(DecodeError);
  });

  it('throws DecodeError, never RangeError, on reads past the end', () => {
    const r = new Reader(Buffer.from([0, 5, 0x61]));
    expect(() => r.string()).toThrow(DecodeError);
    expect(() => new Reader(Buffer.alloc(3)).int32()).toThrow(DecodeError);
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).uvarint()).toThrow(DecodeError);
  });

  it('rejects int64 values outside the safe integer range', () => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64BE(2n ** 53n);
    expect(() => new Reader(buf).int64()).toThrow(DecodeError);
    buf.writeBigInt64BE(-(2n ** 53n));
    expect(() => new Reader(buf).int64()).toThrow(DecodeError);
    buf.writeBigInt64BE(-(2n ** 53n) + 1n);
    expect(new Reader(buf).int64()).toBe(Number.MIN_SAFE_INTEGER);
  });

  it('round-trips every primitive through Writer', () => {
    const w = new Writer(4);
    w.int8(-5);
    w.int16(-300);
    w.int32(-70000);
    w.int64(-(2 ** 50) - 3);
    w.int64(Number.MAX_SAFE_INTEGER);
    w.uint32(0xfffffffe);
    w.float64(1.5);
    w.bool(true);
    w.uvarint(300);
    w.varint(-64);
    w.varlong(-(2 ** 40));
    w.string('héllo');
    w.nullableString(null);
    w.compactString('x');
    w.compactNullableString(null);
    w.bytes(Buffer.from('ab'));
    w.compactNullableBytes(null);
    w.uuid('0123456789abcdef0123456789abcdef');
    const r = new Reader(w.finish());
    expect([r.int8(), r.int16(), r.int32(), r.int64(), r.int64(), r.uint32(), r.float64(), r.bool()]).toEqual([
      -5, -300, -70000, -(2 ** 50) - 3, Number.MAX_SAFE_INTEGER, 0xfffffffe, 1.5, true,
    ]);
    expect([r.uvarint(), r.varint(), r.varlong()]).toEqual([300, -64, -(2 ** 40)]);
    expect([r.string(), r.nullableString(), r.compactString(), r.compactNullableString()]).toEqual([
      'héllo', null, 'x', null,
    ]);
    expect([r.bytes(), r.compactNullableBytes(), r.uuid()]).toEqual([
      Buffer.from('ab'), null, '01234567-89ab-cdef-0123-456789abcdef',
    ]);
    expect(r.remaining()).toBe(0);
  });

  it('decodes bytes as a view into the source buffer', () => {
    const source = Buffer.from([0, 0, 0, 2, 7, 8]);
    const bytes = new Reader(source).bytes();
    source[4] = 9;
    expect(bytes[0]).toBe(9);
  });
});
