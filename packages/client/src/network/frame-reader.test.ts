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

describe('FrameReader', () => {
  it('cuts frames however the stream is split', () => {
    const stream = framed('hello', '', 'world!');
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new FrameReader(100);
      const frames = [
        ...reader.push(stream.subarray(0, cut)),
        ...reader.push(stream.subarray(cut)),
      ];
      expect(frames.map((f) => f.toString())).toEqual(['hello', '', 'world!']);
    }
  });

  it('rejects a size prefix above the limit before allocating', () => {
    expect(() => new FrameReader(10).push(framed('x'.repeat(11)))).toThrow(RangeError);
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
