import { connect, type Socket } from 'node:net';
import { decodeResponse, encodeRequest, type ApiSchema, type RequestInput, type ResponseOf } from '@rill/protocol';

/**
 * A deliberately small Kafka client for tests: it speaks exactly the frames we ask for, so
 * tests can send well-formed requests and malformed bytes on the same kind of connection.
 */
export class RawKafkaClient {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiting: ((frame: Buffer) => void)[] = [];
  #closed = false;
  #closeWaiters: (() => void)[] = [];
  #correlationId = 1;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => {
      this.#closed = true;
      for (const waiter of this.#closeWaiters) waiter();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawKafkaClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => resolve(new RawKafkaClient(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get socket(): Socket {
    return this.#socket;
  }

  /** Sends one request and waits for its response. */
  async request<S extends ApiSchema>(schema: S, version: number, body: RequestInput<S>): Promise<ResponseOf<S>> {
    const correlationId = this.#correlationId++;
    this.#socket.write(encodeRequest(schema.apiKey, version, { correlationId, clientId: 'rill-test' }, body as never));
    const frame = await this.nextFrame();
    return decodeResponse(schema.apiKey, version, frame).body as ResponseOf<S>;
  }

  /** Sends a request expecting no response (acks=0). */
  send<S extends ApiSchema>(schema: S, version: number, body: RequestInput<S>): void {
    const correlationId = this.#correlationId++;
    this.#socket.write(encodeRequest(schema.apiKey, version, { correlationId, clientId: 'rill-test' }, body as never));
  }

  writeRaw(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** The next response frame (without its size prefix); rejects if the connection closes. */
  nextFrame(timeoutMs = 10_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no response within the timeout')), timeoutMs);
      this.#waiting.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
      this.#closeWaiters.push(() => {
        clearTimeout(timer);
        reject(new Error('connection closed'));
      });
    });
  }

  /** Resolves true when the broker closes the connection within the timeout. */
  waitClosed(timeoutMs = 5_000): Promise<boolean> {
    if (this.#closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#closeWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 4) {
      const size = this.#buffer.readInt32BE(0);
      if (this.#buffer.length < 4 + size) return;
      const frame = this.#buffer.subarray(4, 4 + size);
      this.#buffer = this.#buffer.subarray(4 + size);
      this.#waiting.shift()?.(frame);
    }
  }
}
