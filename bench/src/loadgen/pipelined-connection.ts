import { connect, type Socket } from 'node:net';

/**
 * A Kafka connection for load: requests go out back to back, responses are matched in
 * order (the broker answers in request order) and handed over as raw frames.
 */
export class PipelinedConnection {
  readonly #socket: Socket;
  readonly #pending: ((frame: Buffer) => void)[] = [];
  #partial: Buffer[] = [];
  #partialBytes = 0;
  /** Size of the frame being reassembled, once its 4-byte prefix has arrived; else -1. */
  #expected = -1;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
  }

  static open(port: number): Promise<PipelinedConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(new PipelinedConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a whole frame (size prefix included); the callback gets the response frame. */
  send(frame: Buffer, onResponse: (frame: Buffer) => void): void {
    this.#pending.push(onResponse);
    this.#socket.write(frame);
  }

  request(frame: Buffer): Promise<Buffer> {
    return new Promise((resolve) => this.send(frame, resolve));
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    let data = chunk;
    if (this.#partialBytes > 0) {
      this.#partial.push(chunk);
      this.#partialBytes += chunk.length;
      if (this.#expected < 0 && this.#partialBytes >= 4) {
        this.#expected = Buffer.concat(this.#partial, this.#partialBytes).readInt32BE(0);
      }
      if (this.#expected < 0 || this.#partialBytes < 4 + this.#expected) return;
      data = Buffer.concat(this.#partial, this.#partialBytes);
      this.#expected = -1;
      this.#partial = [];
      this.#partialBytes = 0;
    }
    let position = 0;
    while (data.length - position >= 4) {
      const size = data.readInt32BE(position);
      if (data.length - position - 4 < size) break;
      this.#pending.shift()!(data.subarray(position + 4, position + 4 + size));
      position += 4 + size;
    }
    if (position < data.length) {
      this.#partial = [data.subarray(position)];
      this.#partialBytes = data.length - position;
      if (this.#partialBytes >= 4) this.#expected = data.readInt32BE(position);
    }
  }
}
