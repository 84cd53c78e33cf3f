const SIZE_PREFIX_BYTES = 4;

/**
 * Cuts a TCP byte stream into Kafka frames (int32 size prefix, then that many bytes).
 * Chunks are kept as they arrive and joined once per frame, never re-concatenated per
 * chunk; a frame inside one chunk is returned as a view of it. The size is checked
 * against `frameBytesMax` before anything is allocated for the frame.
 */
export class FrameReader {
  readonly #frameBytesMax: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #frameSize = -1;

  constructor(frameBytesMax: number) {
    this.#frameBytesMax = frameBytesMax;
  }

  /** Adds a chunk and returns the frames it completed (without size prefixes). */
  push(chunk: Buffer): Buffer[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#frameSize < 0) {
        if (this.#buffered < SIZE_PREFIX_BYTES) break;
        const size = this.#take(SIZE_PREFIX_BYTES).readInt32BE(0);
        if (size < 0 || size > this.#frameBytesMax) {
          throw new RangeError(
            `response frame of ${size} bytes is outside 0..${this.#frameBytesMax}`,
          );
        }
        this.#frameSize = size;
      }
      if (this.#buffered < this.#frameSize) break;
      frames.push(this.#take(this.#frameSize));
      this.#frameSize = -1;
    }
    return frames;
  }

  /** Removes the next `n` buffered bytes: a view when one chunk holds them, else one copy. */
  #take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.#buffered -= n;
    const first = this.#chunks[0]!;
    if (first.length > n) {
      this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.#chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}
