import { credentials, status, type Client, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { RaftMessage } from '../raft/messages.js';
import { loadProto } from './proto-loader.js';
import type { RaftTransport } from './raft-driver.js';
import { fromWire, toWire, type WireEnvelope } from './raft-wire.js';

/** Messages to one peer that may be unanswered at once; beyond it we drop, as a lossy link would. */
const callsInFlightPerPeerMax = 128;

/** Observers whose addresses we remember, to answer their fetches. */
const observersMax = 1024;
const deliverDeadlineMs = 2000;

interface QuorumClient extends Client {
  deliver(envelope: WireEnvelope, options: { deadline: number }, callback: (error: Error | null) => void): void;
}

type QuorumClientConstructor = new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options: object) => QuorumClient;

const quorumPackage = loadProto('quorum.proto')['rill'] as unknown as { quorum: { Quorum: QuorumClientConstructor & { service: ServiceDefinition } } };

export const quorumService: ServiceDefinition = quorumPackage.quorum.Quorum.service;

export interface QuorumTransportOptions {
  readonly clusterId: string;
  readonly nodeId: number;
  /** Internal gRPC address of every voter, by node id. */
  readonly peers: ReadonlyMap<number, string>;
  /** Our own internal gRPC address, sent with every message so observers can be answered. */
  readonly selfAddress: string;
  readonly logger: Logger;
}

/**
 * Carries Raft messages between nodes as one-way gRPC calls (proto/quorum.proto). Sending
 * never blocks the driver: a failed or slow call is a lost message, which Raft tolerates.
 */
export class QuorumTransport implements RaftTransport {
  readonly #options: QuorumTransportOptions;
  readonly #clients = new Map<number, QuorumClient>();
  readonly #inFlight = new Map<number, number>();
  /** Addresses of observers, learnt from the messages they send us. */
  readonly #observers = new Map<number, string>();

  constructor(options: QuorumTransportOptions) {
    this.#options = options;
  }

  send(message: RaftMessage): void {
    const client = this.#client(message.to);
    if (client === null) return;
    const inFlight = this.#inFlight.get(message.to) ?? 0;
    if (inFlight >= callsInFlightPerPeerMax) return;
    this.#inFlight.set(message.to, inFlight + 1);
    client.deliver(toWire(message, this.#options.clusterId, this.#options.selfAddress), { deadline: Date.now() + deliverDeadlineMs }, () => {
      this.#inFlight.set(message.to, (this.#inFlight.get(message.to) ?? 1) - 1);
    });
  }

  /** The gRPC service implementation that hands arriving messages to `deliver`. */
  serviceImplementation(deliver: (message: RaftMessage) => void): UntypedServiceImplementation {
    return {
      deliver: (call: { request: WireEnvelope }, callback: (error: { code: number; details: string } | null, ack?: object) => void) => {
        const envelope = call.request;
        if (envelope.clusterId !== this.#options.clusterId) {
          callback({ code: status.PERMISSION_DENIED, details: `cluster id ${envelope.clusterId} is not ours` });
          return;
        }
        if (envelope.to !== this.#options.nodeId) {
          callback({ code: status.INVALID_ARGUMENT, details: `message for node ${envelope.to} reached node ${this.#options.nodeId}` });
          return;
        }
        const message = fromWire(envelope);
        if (message === null) return callback(null, {});
        this.#learnObserver(envelope);
        deliver(message);
        callback(null, {});
      },
    };
  }

  #learnObserver(envelope: WireEnvelope): void {
    const address = envelope.replyTo;
    if (this.#options.peers.has(envelope.from) || address === undefined || address === '') return;
    if (this.#observers.get(envelope.from) === address) return;
    if (!this.#observers.has(envelope.from) && this.#observers.size >= observersMax) return;
    this.#observers.set(envelope.from, address);
    this.#clients.get(envelope.from)?.close();
    this.#clients.delete(envelope.from);
  }

  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }

  #client(nodeId: number): QuorumClient | null {
    const existing = this.#clients.get(nodeId);
    if (existing) return existing;
    const address = this.#options.peers.get(nodeId) ?? this.#observers.get(nodeId);
    if (address === undefined) {
      this.#options.logger.warn({ nodeId }, 'no address for a quorum peer; message dropped');
      return null;
    }
    const client = new quorumPackage.quorum.Quorum(address, credentials.createInsecure(), {
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.max_send_message_length': 16 * 1024 * 1024,
    });
    this.#clients.set(nodeId, client);
    return client;
  }
}
