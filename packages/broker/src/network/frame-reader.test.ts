import { describe, expect, it } from 'vitest';
import { FrameReader } from './frame-reader.js';

function frame(body: string): Buffer {
  const bytes = Buffer.from(body);
  const size = Buffer.alloc(4);
  size.writeInt32BE(bytes.length);
  return Buffer.concat([size, bytes]);
}

function collect(reader: FrameReader, chunks: Buffer[]): { frames: string[]; problem: string | null } {
  const frames: string[] = [];
  let problem: string | null = null;
  for (const chunk of chunks) {
    problem ??= reader.push(chunk, (f) => frames.push(f.toString()));
  }
  return { frames, problem };
}

describe('FrameReader', () => {
  it('splits several frames in one chunk without copying', () => {
    const reader = new FrameReader(1000);
    const data = Buffer.concat([frame('first-frame'), frame('second-frame')]);
    const seen: Buffer[] = [];
    reader.push(data, (f) => seen.push(f));
    expect(seen.map(String)).toEqual(['first-frame', 'second-frame']);
    expect(seen[0]!.buffer).toBe(data.buffer);
  });

  it('reassembles a frame split at every possible byte', () => {
    const data = Buffer.concat([frame('hello-world-1'), frame('hello-world-2')]);
    for (let cut = 1; cut < data.length; cut++) {
      const reader = new FrameReader(1000);
      const { frames } = collect(reader, [data.subarray(0, cut), data.subarray(cut)]);
      expect(frames).toEqual(['hello-world-1', 'hello-world-2']);
    }
  });

  it('refuses an oversized or negative size before buffering the body', () => {
    const big = Buffer.alloc(4);
    big.writeInt32BE(1001);
    expect(new FrameReader(1000).push(big, () => undefined)).toBe('too-large');
    expect(new FrameReader(1000).push(Buffer.from([0xff, 0xff, 0xff, 0xff]), () => undefined)).toBe('too-small');
    expect(new FrameReader(1000).push(Buffer.from('GET / HTTP/1.1\r\n'), () => undefined)).toBe('too-large');
  });

  it('holds only what arrived of a partial frame', () => {
    const reader = new FrameReader(100 * 1024 * 1024);
    const header = Buffer.alloc(4);
    header.writeInt32BE(50 * 1024 * 1024);
    reader.push(Buffer.concat([header, Buffer.alloc(10)]), () => undefined);
    expect(reader.bufferedBytes).toBe(14);
  });
});
