const SIZE_PREFIX_BYTES = 4;
/** Reads land here until a frame's size is known. */
const SCRATCH_BYTES = 64 * 1024;

/**
 * Cuts a TCP byte stream into Kafka frames (int32 size prefix, then that many bytes),
 * choosing where each socket read lands (net's `onread`): small reads go to one reused
 * scratch buffer, and once a frame's size is known the rest of it is read straight into
 * that frame's own buffer. A large Fetch response is thus neither copied from socket
 * chunks nor assembled from hundreds of short-lived Buffers. The size is checked against
 * `frameBytesMax` before the frame is allocated.
 */
export class FrameReader {
  readonly #frameBytesMax: number;
  readonly #scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  readonly #size = Buffer.alloc(SIZE_PREFIX_BYTES);
  #sizeFilled = 0;
  #frame: Buffer | null = null;
  #filled = 0;

  constructor(frameBytesMax: number) {
    this.#frameBytesMax = frameBytesMax;
  }

  /** Where the next socket read should put its bytes. */
  target(): Buffer {
    return this.#frame === null ? this.#scratch : this.#frame.subarray(this.#filled);
  }

  /** `count` bytes were read into the last target(); returns the frames they completed. */
  received(count: number): Buffer[] {
    if (this.#frame !== null) {
      this.#filled += count;
      return this.#filled === this.#frame.length ? [this.#finishFrame()] : [];
    }
    return this.#fromScratch(count);
  }

  #fromScratch(count: number): Buffer[] {
    const frames: Buffer[] = [];
    let pos = 0;
    while (pos < count) {
      if (this.#sizeFilled < SIZE_PREFIX_BYTES) {
        const take = Math.min(SIZE_PREFIX_BYTES - this.#sizeFilled, count - pos);
        this.#scratch.copy(this.#size, this.#sizeFilled, pos, pos + take);
        this.#sizeFilled += take;
        pos += take;
        if (this.#sizeFilled < SIZE_PREFIX_BYTES) break;
        this.#startFrame(this.#size.readInt32BE(0));
      }
      const frame = this.#frame!;
      const take = Math.min(frame.length - this.#filled, count - pos);
      this.#scratch.copy(frame, this.#filled, pos, pos + take);
      this.#filled += take;
      pos += take;
      if (this.#filled === frame.length) frames.push(this.#finishFrame());
    }
    // A size prefix of an empty frame completes it without further bytes.
    if (this.#frame !== null && this.#frame.length === 0) frames.push(this.#finishFrame());
    return frames;
  }

  #startFrame(size: number): void {
    if (size < 0 || size > this.#frameBytesMax) {
      throw new RangeError(`response frame of ${size} bytes is outside 0..${this.#frameBytesMax}`);
    }
    this.#frame = Buffer.allocUnsafe(size);
    this.#filled = 0;
  }

  #finishFrame(): Buffer {
    const frame = this.#frame!;
    this.#frame = null;
    this.#filled = 0;
    this.#sizeFilled = 0;
    return frame;
  }
}
