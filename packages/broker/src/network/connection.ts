import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  inFlightBytesPerConnectionMax,
  inFlightRequestsPerConnectionMax,
  pendingResponseBytesPerConnectionMax,
} from '../limits.js';
import { FrameReader } from './frame-reader.js';

/** A response frame in pieces, written without joining them. */
export interface ResponsePieces {
  readonly pieces: readonly Buffer[];
  /** Runs once the socket has written every piece (never if the connection closes first). */
  readonly onWritten?: () => void;
}

/** What a request produces: one frame, a frame in pieces, or nothing (acks=0). */
export type ResponseFrame = Buffer | ResponsePieces | null;

/** Thrown by a dispatcher when Kafka's answer to a request is to close the connection. */
export class CloseConnection extends Error {
  override readonly name = 'CloseConnection';
}

export interface ConnectionContext {
  readonly id: number;
  readonly listenerName: string;
  readonly remoteAddress: string;
}

export type Dispatch = (frame: Buffer, context: ConnectionContext) => ResponseFrame | Promise<ResponseFrame>;

interface Slot {
  done: boolean;
  response: ResponseFrame;
  requestBytes: number;
}

export interface ConnectionOptions {
  readonly socket: Socket;
  readonly context: ConnectionContext;
  readonly maxFrameBytes: number;
  readonly idleTimeoutMs: number;
  readonly dispatch: Dispatch;
  readonly logger: Logger;
}

/**
 * One client connection. Requests may be handled concurrently, but responses leave in
 * request order, as Kafka clients require. A request is only started while fewer than the
 * maximum are in progress and the client has read what was already sent it; otherwise its
 * frame waits and the socket stops being read. Whatever the peer does, a connection holds
 * a bounded amount of memory.
 */
export class Connection {
  readonly #options: ConnectionOptions;
  readonly #reader: FrameReader;
  readonly #slots: Slot[] = [];
  /** Frames received but not yet started: at most what one read from the socket held. */
  readonly #waiting: Buffer[] = [];
  #inFlightBytes = 0;
  #closed = false;
  #paused = false;

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.#reader = new FrameReader(options.maxFrameBytes);
    const { socket } = options;
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs, () => this.close('idle'));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#pump());
    socket.on('error', (error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => this.close('peer closed'));
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiting.length = 0;
    this.#options.logger.debug({ connection: this.#options.context.id, reason }, 'connection closed');
    this.#options.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    const problem = this.#reader.push(chunk, (frame) => this.#waiting.push(frame));
    if (problem !== null) {
      this.#options.logger.warn(
        { connection: this.#options.context.id, remote: this.#options.context.remoteAddress, problem },
        problem === 'too-large'
          ? 'request frame larger than socket.request.max.bytes (or not Kafka: HTTP or TLS on the Kafka port?)'
          : 'request frame shorter than a request header',
      );
      this.close(`frame ${problem}`);
      return;
    }
    this.#pump();
  }

  /** Starts waiting requests while there is room, then pauses or resumes reading. */
  #pump(): void {
    while (!this.#closed && this.#waiting.length > 0 && this.#hasRoom()) this.#start(this.#waiting.shift()!);
    if (this.#closed) return;
    const mustWait = this.#waiting.length > 0 || !this.#hasRoom();
    if (mustWait && !this.#paused) {
      this.#paused = true;
      this.#options.socket.pause();
    } else if (!mustWait && this.#paused) {
      this.#paused = false;
      this.#options.socket.resume();
    }
  }

  #hasRoom(): boolean {
    return (
      this.#slots.length < inFlightRequestsPerConnectionMax &&
      this.#inFlightBytes < inFlightBytesPerConnectionMax &&
      this.#options.socket.writableLength < pendingResponseBytesPerConnectionMax
    );
  }

  #start(frame: Buffer): void {
    const slot: Slot = { done: false, response: null, requestBytes: frame.length };
    this.#slots.push(slot);
    this.#inFlightBytes += frame.length;
    let result: ResponseFrame | Promise<ResponseFrame>;
    try {
      result = this.#options.dispatch(frame, this.#options.context);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (result instanceof Promise) {
      result.then((response) => this.#complete(slot, response), (error: unknown) => this.#fail(error));
    } else {
      this.#complete(slot, result);
    }
  }

  #complete(slot: Slot, response: ResponseFrame): void {
    slot.done = true;
    slot.response = response;
    this.#flush();
    this.#pump();
  }

  #fail(error: unknown): void {
    if (!(error instanceof CloseConnection)) {
      this.#options.logger.error({ err: error, connection: this.#options.context.id }, 'request handler failed');
    }
    this.close(error instanceof Error ? error.message : String(error));
  }

  /** Writes every finished response at the head of the queue, in request order. */
  #flush(): void {
    const { socket } = this.#options;
    while (this.#slots.length > 0 && this.#slots[0]!.done) {
      const slot = this.#slots.shift()!;
      this.#inFlightBytes -= slot.requestBytes;
      if (this.#closed || slot.response === null) continue;
      if (Buffer.isBuffer(slot.response)) {
        socket.write(slot.response);
      } else {
        const { pieces, onWritten } = slot.response;
        socket.cork();
        for (let i = 0; i < pieces.length - 1; i++) socket.write(pieces[i]);
        // Writes finish in order, so the last one's callback means all of them are written.
        socket.write(pieces[pieces.length - 1]!, (error) => {
          if (error == null) onWritten?.();
        });
        socket.uncork();
      }
    }
  }
}
