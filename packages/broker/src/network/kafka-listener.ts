import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ListenerAddress } from '../config/addresses.js';
import { connectionsPerListenerMax } from '../limits.js';
import { Connection, type Dispatch } from './connection.js';

export interface KafkaListenerOptions {
  readonly address: ListenerAddress;
  readonly maxFrameBytes: number;
  readonly idleTimeoutMs: number;
  readonly dispatch: Dispatch;
  readonly logger: Logger;
  readonly onConnectionCountChange?: (listenerName: string, count: number) => void;
}

let nextConnectionId = 1;

/** One Kafka client listener: accepts sockets and gives each a bounded Connection. */
export class KafkaListener {
  readonly #options: KafkaListenerOptions;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();

  constructor(options: KafkaListenerOptions) {
    this.#options = options;
    this.#server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
    this.#server.on('error', (error) => options.logger.error({ err: error }, 'listener error'));
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : this.#options.address.port;
  }

  listen(): Promise<void> {
    const { host, port } = this.#options.address;
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host, port }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    for (const connection of this.#connections) connection.close('shutting down');
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    if (this.#connections.size >= connectionsPerListenerMax) {
      this.#options.logger.warn({ remote: socket.remoteAddress }, 'too many connections; refusing one');
      socket.destroy();
      return;
    }
    const connection = new Connection({
      socket,
      context: {
        id: nextConnectionId++,
        listenerName: this.#options.address.name,
        remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
      },
      maxFrameBytes: this.#options.maxFrameBytes,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      dispatch: this.#options.dispatch,
      logger: this.#options.logger,
    });
    this.#connections.add(connection);
    this.#reportCount();
    socket.once('close', () => {
      this.#connections.delete(connection);
      this.#reportCount();
    });
  }

  #reportCount(): void {
    this.#options.onConnectionCountChange?.(this.#options.address.name, this.#connections.size);
  }
}
