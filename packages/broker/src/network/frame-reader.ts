import { requestHeaderBytesMin } from '../limits.js';

export type FrameProblem = 'too-large' | 'too-small';

/**
 * Splits a TCP byte stream into Kafka request frames (4-byte big-endian size, then the
 * frame). The size is checked before a byte of the body is kept, and a partial frame is held
 * as the chunks that arrived (never more than was received), so a peer that announces 100 MB
 * and sends ten bytes costs ten bytes. A frame inside one chunk is returned as a view of it;
 * a frame spread over chunks is joined once.
 */
export class FrameReader {
  readonly #maxFrameBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #expected = -1;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  /** Feeds a chunk; calls onFrame per whole frame; returns a problem to close the connection for. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): FrameProblem | null {
    let data = chunk;
    if (this.#pendingBytes > 0) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      if (this.#expected < 0 && this.#pendingBytes < 4) return null;
      if (this.#expected >= 0 && this.#pendingBytes < this.#expected + 4) return null;
      data = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    return this.#split(data, onFrame);
  }

  #split(data: Buffer, onFrame: (frame: Buffer) => void): FrameProblem | null {
    let position = 0;
    while (data.length - position >= 4) {
      const size = data.readInt32BE(position);
      if (size > this.#maxFrameBytes) return 'too-large';
      if (size < requestHeaderBytesMin) return 'too-small';
      if (data.length - position - 4 < size) {
        this.#expected = size;
        break;
      }
      onFrame(data.subarray(position + 4, position + 4 + size));
      position += 4 + size;
      this.#expected = -1;
    }
    if (position < data.length) {
      this.#pending = [data.subarray(position)];
      this.#pendingBytes = data.length - position;
    }
    return null;
  }
}
