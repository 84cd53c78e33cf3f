import { connect, type Socket } from 'node:net';
import {
  ApiKey,
  decodeResponse,
  encodeRequest,
  ErrorCode,
  type RequestInputFor,
  type ResponseFor,
} from '@rill/protocol';
import {
  ClosedError,
  ConnectionError,
  LimitExceededError,
  ProtocolError,
  RequestTimeoutError,
} from '../errors.js';
import { queuedRequestsMax, responseFrameBytesMax } from '../limits.js';
import { formatAddress, type BrokerAddress } from './address.js';
import { FrameReader } from './frame-reader.js';
import {
  apiName,
  clientVersions,
  requireVersion,
  type BrokerVersions,
  type VersionRange,
} from './versions.js';

export interface ConnectionOptions {
  readonly address: BrokerAddress;
  readonly clientId: string;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Requests on the wire without a response yet; more wait in a bounded queue. */
  readonly maxInFlight: number;
}

export interface RequestOptions {
  /** Overrides the connection's request timeout (a Fetch long-poll adds its wait). */
  readonly timeoutMs?: number;
  /** false for Produce with acks=0: the broker sends nothing back. */
  readonly expectResponse?: boolean;
}

interface Pending {
  readonly correlationId: number;
  readonly apiKey: number;
  readonly version: number;
  readonly deadlineMs: number;
  readonly resolve: (body: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Queued {
  readonly send: () => void;
  readonly reject: (error: Error) => void;
}

const CORRELATION_ID_MAX = 0x7fffffff;

/**
 * One TCP connection to one broker: frames requests with increasing correlation ids, keeps
 * at most `maxInFlight` unanswered (the rest wait in a bounded queue), matches responses in
 * order, and fails every waiting request with a typed, retriable error if the connection
 * breaks or a request times out — after which it is closed and must be replaced.
 */
export class Connection {
  readonly address: BrokerAddress;
  readonly addressText: string;
  readonly #options: ConnectionOptions;
  readonly #socket: Socket;
  readonly #reader: FrameReader;
  readonly #inFlight: Pending[] = [];
  readonly #queue: Queued[] = [];
  readonly #closeListeners: ((error: Error) => void)[] = [];
  readonly #sweep: NodeJS.Timeout;
  #versions: BrokerVersions = new Map();
  #nextCorrelationId = 1;
  #closedBy: Error | null = null;

  private constructor(options: ConnectionOptions, opened: OpenedSocket) {
    this.#options = options;
    this.address = options.address;
    this.addressText = formatAddress(options.address);
    this.#socket = opened.socket;
    this.#reader = opened.reader;
    opened.onBytes = (count) => this.#onBytes(count);
    const socket = opened.socket;
    socket.setNoDelay(true);
    socket.on('error', (error) =>
      this.#fail(
        this.#connectionError(
          `connection to broker ${this.addressText} failed: ${error.message}`,
          error,
        ),
      ),
    );
    socket.on('close', () =>
      this.#fail(this.#connectionError(`broker ${this.addressText} closed the connection`)),
    );
    const sweepMs = Math.max(10, Math.min(1000, Math.floor(options.requestTimeoutMs / 10)));
    this.#sweep = setInterval(() => this.#expire(), sweepMs);
    this.#sweep.unref();
  }

  /** Connects and learns the broker's API versions. Errors name the address tried. */
  static async open(options: ConnectionOptions): Promise<Connection> {
    const connection = new Connection(options, await connectSocket(options));
    try {
      connection.#versions = await connection.#fetchApiVersions();
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  }

  get closed(): boolean {
    return this.#closedBy !== null;
  }

  get inFlight(): number {
    return this.#inFlight.length;
  }

  get versions(): BrokerVersions {
    return this.#versions;
  }

  /** The version this connection uses for `apiKey`; throws UnsupportedFeatureError if none. */
  version(apiKey: number): number {
    return requireVersion(apiKey, this.#versions, this.addressText);
  }

  supports(apiKey: number): boolean {
    try {
      this.version(apiKey);
      return true;
    } catch {
      return false;
    }
  }

  onClose(listener: (error: Error) => void): void {
    if (this.#closedBy !== null) listener(this.#closedBy);
    else this.#closeListeners.push(listener);
  }

  /** Sends a request at the negotiated version and resolves with the decoded response body. */
  request<K extends ApiKey>(
    apiKey: K,
    body: RequestInputFor<K>,
    options: RequestOptions = {},
  ): Promise<ResponseFor<K>> {
    return this.requestAt(apiKey, this.version(apiKey), body, options);
  }

  /** Sends a request at an explicit version (ApiVersions, which has no negotiation yet). */
  requestAt<K extends ApiKey>(
    apiKey: K,
    version: number,
    body: RequestInputFor<K>,
    options: RequestOptions = {},
  ): Promise<ResponseFor<K>> {
    const header = { clientId: this.#options.clientId };
    const encode = (correlationId: number) => [
      encodeRequest(apiKey, version, { ...header, correlationId }, body),
    ];
    return this.requestFrames(apiKey, version, encode, options);
  }

  /**
   * Sends a request whose frame the caller encodes (as Buffers written in one corked
   * write) once its correlation id is known; the response is decoded as usual.
   */
  requestFrames<K extends ApiKey>(
    apiKey: K,
    version: number,
    encode: (correlationId: number, clientId: string) => readonly Buffer[],
    options: RequestOptions = {},
  ): Promise<ResponseFor<K>> {
    if (this.#closedBy !== null) return Promise.reject(this.#closedBy);
    return new Promise<ResponseFor<K>>((resolve, reject) => {
      const send = (): void =>
        this.#send({
          apiKey,
          version,
          encode,
          options,
          resolve: resolve as (b: unknown) => void,
          reject,
        });
      if (this.#inFlight.length < this.#options.maxInFlight) return send();
      if (this.#queue.length >= queuedRequestsMax) {
        return reject(
          new LimitExceededError(
            `${queuedRequestsMax} requests already wait for broker ${this.addressText}`,
          ),
        );
      }
      this.#queue.push({ send, reject });
    });
  }

  close(): void {
    this.#fail(new ClosedError(`connection to broker ${this.addressText}`));
  }

  #send(args: {
    apiKey: number;
    version: number;
    encode: (correlationId: number, clientId: string) => readonly Buffer[];
    options: RequestOptions;
    resolve: (body: unknown) => void;
    reject: (error: Error) => void;
  }): void {
    if (this.#closedBy !== null) return args.reject(this.#closedBy);
    const correlationId = this.#nextCorrelationId;
    this.#nextCorrelationId = correlationId >= CORRELATION_ID_MAX ? 1 : correlationId + 1;
    const chunks = args.encode(correlationId, this.#options.clientId);
    if (args.options.expectResponse === false) {
      // Resolving once the bytes left for the kernel keeps acks=0 from outrunning the socket.
      this.#write(chunks, (error) =>
        error
          ? args.reject(this.#connectionError(`write to broker ${this.addressText} failed`, error))
          : args.resolve(undefined),
      );
      return;
    }
    const timeoutMs = args.options.timeoutMs ?? this.#options.requestTimeoutMs;
    this.#inFlight.push({
      correlationId,
      apiKey: args.apiKey,
      version: args.version,
      deadlineMs: performance.now() + timeoutMs,
      resolve: args.resolve,
      reject: args.reject,
    });
    this.#write(chunks);
  }

  #write(chunks: readonly Buffer[], done?: (error?: Error | null) => void): void {
    if (chunks.length === 1) return void this.#socket.write(chunks[0]!, done);
    this.#socket.cork();
    for (let i = 0; i < chunks.length; i++)
      this.#socket.write(chunks[i]!, i === chunks.length - 1 ? done : undefined);
    this.#socket.uncork();
  }

  #onBytes(count: number): void {
    let frames: Buffer[];
    try {
      frames = this.#reader.received(count);
    } catch (error) {
      return this.#fail(
        new ProtocolError(
          `broker ${this.addressText} sent a bad frame: ${(error as Error).message}`,
        ),
      );
    }
    for (const frame of frames) {
      if (this.#closedBy !== null) return;
      this.#dispatch(frame);
    }
  }

  #dispatch(frame: Buffer): void {
    const pending = this.#inFlight.shift();
    if (pending === undefined) {
      return this.#fail(
        new ProtocolError(`broker ${this.addressText} sent a response nobody asked for`),
      );
    }
    let decoded: { correlationId: number; body: unknown };
    try {
      decoded = decodeFrame(pending, frame);
    } catch (error) {
      pending.reject(
        new ProtocolError(
          `cannot decode ${apiName(pending.apiKey)} v${pending.version} response from ${this.addressText}`,
          error,
        ),
      );
      return this.#fail(new ProtocolError(`undecodable response from ${this.addressText}`, error));
    }
    if (decoded.correlationId !== pending.correlationId) {
      const message = `broker ${this.addressText} answered correlation id ${decoded.correlationId}, expected ${pending.correlationId}`;
      pending.reject(new ProtocolError(message));
      return this.#fail(new ProtocolError(message));
    }
    pending.resolve(decoded.body);
    this.#sendQueued();
  }

  #sendQueued(): void {
    while (
      this.#queue.length > 0 &&
      this.#inFlight.length < this.#options.maxInFlight &&
      this.#closedBy === null
    ) {
      this.#queue.shift()!.send();
    }
  }

  #expire(): void {
    const now = performance.now();
    const late = this.#inFlight.find((pending) => pending.deadlineMs <= now);
    if (late === undefined) return;
    // A late response would still arrive and be matched to the wrong waiter, so the whole
    // connection goes, as in the Java client.
    this.#fail(
      new RequestTimeoutError(
        `${apiName(late.apiKey)} to broker ${this.addressText} got no response in time`,
      ),
    );
  }

  #fail(error: Error): void {
    if (this.#closedBy !== null) return;
    this.#closedBy = error;
    clearInterval(this.#sweep);
    this.#socket.destroy();
    for (const pending of this.#inFlight.splice(0)) pending.reject(error);
    for (const queued of this.#queue.splice(0)) queued.reject(error);
    for (const listener of this.#closeListeners.splice(0)) listener(error);
  }

  #connectionError(message: string, cause?: unknown): ConnectionError {
    return new ConnectionError(this.addressText, message, cause);
  }

  /**
   * ApiVersions at our highest version; a broker that does not know it answers in v0
   * format with error UNSUPPORTED_VERSION and its own range, and we retry within that.
   */
  async #fetchApiVersions(): Promise<BrokerVersions> {
    const ours = clientVersions.get(ApiKey.ApiVersions)!;
    let version = ours.max;
    for (let attempt = 0; attempt < 2; attempt++) {
      const body = { clientSoftwareName: 'rill-client', clientSoftwareVersion: '0.1.0' };
      const response = await this.requestAt(ApiKey.ApiVersions, version, body);
      if (response.errorCode === ErrorCode.NONE) return toVersionMap(response.apiKeys);
      if (response.errorCode !== ErrorCode.UNSUPPORTED_VERSION) break;
      const theirs = response.apiKeys.find((entry) => entry.apiKey === ApiKey.ApiVersions);
      version = Math.max(ours.min, Math.min(version - 1, theirs?.maxVersion ?? 0));
    }
    throw new ProtocolError(`broker ${this.addressText} did not answer ApiVersions`);
  }
}

/**
 * Decodes a response frame. A broker that does not know the ApiVersions version we sent
 * answers in v0 format (KIP-511), which a flexible decoder cannot read, so that one falls back.
 */
function decodeFrame(pending: Pending, frame: Buffer): { correlationId: number; body: unknown } {
  try {
    return decodeResponse(pending.apiKey as ApiKey, pending.version, frame);
  } catch (error) {
    if (pending.apiKey !== ApiKey.ApiVersions || pending.version === 0) throw error;
    return decodeResponse(ApiKey.ApiVersions, 0, frame);
  }
}

function toVersionMap(
  entries: readonly { apiKey: number; minVersion: number; maxVersion: number }[],
): BrokerVersions {
  const map = new Map<number, VersionRange>();
  for (const entry of entries)
    map.set(entry.apiKey, { min: entry.minVersion, max: entry.maxVersion });
  return map;
}

/** A connected socket whose reads land where its FrameReader says (net's `onread`). */
interface OpenedSocket {
  readonly socket: Socket;
  readonly reader: FrameReader;
  /** Set by the Connection; nothing arrives before it sends its first request. */
  onBytes: (count: number) => void;
}

function connectSocket(options: ConnectionOptions): Promise<OpenedSocket> {
  const text = formatAddress(options.address);
  return new Promise((resolve, reject) => {
    const reader = new FrameReader(responseFrameBytesMax);
    const opened: { socket?: Socket; reader: FrameReader; onBytes: (count: number) => void } = {
      reader,
      onBytes: () => undefined,
    };
    const socket = connect({
      host: options.address.host,
      port: options.address.port,
      onread: {
        buffer: () => reader.target(),
        callback: (count: number) => {
          opened.onBytes(count);
          return true;
        },
      },
    });
    opened.socket = socket;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new ConnectionError(
          text,
          `cannot connect to broker ${text}: no answer within ${options.connectTimeoutMs} ms`,
        ),
      );
    }, options.connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(opened as OpenedSocket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = error.code ?? error.message;
      reject(
        new ConnectionError(
          text,
          `cannot connect to broker ${text} (${why}): is it running, and is that its advertised address?`,
          error,
        ),
      );
    });
  });
}
