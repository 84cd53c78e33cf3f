import { describe, expect, it } from 'vitest';
import { FrameReader } from './frame-reader.js';
import { parseBrokerAddress, parseBrokerList } from './address.js';

function framed(...payloads: string[]): Buffer {
  return Buffer.concat(
    payloads.map((p) => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(p.length);
      return Buffer.concat([size, Buffer.from(p)]);
    }),
  );
}

/** Feeds a stream the way a socket would: each read fills at most `readBytes` of target(). */
function feed(reader: FrameReader, stream: Buffer, readBytes: number): string[] {
  const frames: string[] = [];
  for (let pos = 0; pos < stream.length;) {
    const target = reader.target();
    const count = Math.min(target.length, readBytes, stream.length - pos);
    stream.copy(target, 0, pos, pos + count);
    pos += count;
    frames.push(...reader.received(count).map((f) => f.toString()));
  }
  return frames;
}

describe('FrameReader', () => {
  it('cuts frames however the stream is split into reads', () => {
    const stream = framed('hello', '', 'world!', 'x'.repeat(70_000), 'tail');
    for (const readBytes of [1, 2, 3, 5, 7, 64, 4096, 65536, 1 << 20]) {
      expect(feed(new FrameReader(100_000), stream, readBytes)).toEqual([
        'hello',
        '',
        'world!',
        'x'.repeat(70_000),
        'tail',
      ]);
    }
  });

  it('reads the rest of a large frame straight into that frame', () => {
    const reader = new FrameReader(1 << 20);
    const stream = framed('y'.repeat(200_000));
    expect(reader.received((stream.copy(reader.target(), 0, 0, 10), 10))).toEqual([]);
    const target = reader.target();
    expect(target.length).toBe(200_000 - 6);
  });

  it('rejects a size prefix above the limit before allocating', () => {
    const reader = new FrameReader(10);
    const stream = framed('x'.repeat(11));
    stream.copy(reader.target());
    expect(() => reader.received(stream.length)).toThrow(RangeError);
  });
});

describe('broker addresses', () => {
  it('parses host:port, bare hosts, IPv6 and listener prefixes', () => {
    expect(parseBrokerAddress('localhost')).toEqual({ host: 'localhost', port: 9092 });
    expect(parseBrokerAddress('PLAINTEXT://b1:19092')).toEqual({ host: 'b1', port: 19092 });
    expect(parseBrokerAddress('[::1]:9093')).toEqual({ host: '::1', port: 9093 });
    expect(parseBrokerList(['a:1,b:2', 'c:3']).map((a) => a.port)).toEqual([1, 2, 3]);
  });

  it('says what is wrong with a bad address', () => {
    expect(() => parseBrokerAddress('host:99999')).toThrow(/no valid port/);
    expect(() => parseBrokerList([' , '])).toThrow(/no broker addresses/);
  });
});
