import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { HostPort } from '../config/addresses.js';
import { formatHostPort } from '../config/addresses.js';
import { grpcMessageBytesMax, grpcConcurrentStreamsMax } from '../limits.js';

/**
 * The node-to-node gRPC listener (internal.listener): the quorum, the controller and
 * replication register their services on this one server. Message size and stream counts
 * are capped so a bad peer cannot make the node buffer without bound.
 */
export class InternalServer {
  readonly #server = new Server({
    'grpc.max_receive_message_length': grpcMessageBytesMax,
    'grpc.max_send_message_length': grpcMessageBytesMax,
    'grpc.max_concurrent_streams': grpcConcurrentStreamsMax,
  });
  readonly #address: HostPort;
  readonly #logger: Logger;
  #port = 0;

  constructor(address: HostPort, logger: Logger) {
    this.#address = address;
    this.#logger = logger;
  }

  get port(): number {
    return this.#port;
  }

  addService(service: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    this.#server.addService(service, implementation);
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(formatHostPort(this.#address), ServerCredentials.createInsecure(), (error, port) => {
        if (error) {
          const inUse = /in use/i.test(error.message);
          reject(inUse ? Object.assign(error, { code: 'EADDRINUSE', address: this.#address.host, port: this.#address.port }) : error);
          return;
        }
        this.#port = port;
        this.#logger.debug({ port }, 'internal gRPC listener bound');
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.tryShutdown(() => resolve());
      setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, 1000).unref();
    });
  }
}
