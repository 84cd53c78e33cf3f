import type { ApiSchema, RequestOf, ResponseInput } from '@rill/protocol';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import type { GroupCoordinator } from '../groups/group-coordinator.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { ConnectionContext } from '../network/connection.js';
import type { ReadBufferPool } from '../network/read-buffer-pool.js';
import type { NodeMetrics } from '../observability/metrics.js';
import type { PartitionManager } from '../partitions/partition-manager.js';
import type { ProducerIdManager } from '../producer-ids/producer-id-manager.js';

/** What request handlers reach: the node's parts, never its sockets. */
export interface BrokerServices {
  readonly nodeId: number;
  readonly config: BrokerConfig;
  readonly metadata: MetadataStore;
  readonly partitions: PartitionManager;
  /** The group coordinator for the __consumer_offsets partitions this broker leads. */
  readonly groups: GroupCoordinator;
  /** Producer ids for InitProducerId, from this broker's blocks. */
  readonly producerIds: ProducerIdManager;
  readonly metrics: NodeMetrics;
  readonly logger: Logger;
  /** Buffers for consumer fetches' log reads, used again once a response is written. */
  readonly readBuffers: ReadBufferPool;
  /**
   * False while this broker's session with the controller may have lapsed: it may have been
   * fenced and its leaderships moved, so it must not acknowledge writes (I11).
   */
  readonly mayAcknowledge: () => boolean;
}

export interface RequestContext {
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly connection: ConnectionContext;
  readonly services: BrokerServices;
  /**
   * Runs `callback` once nothing refers to the response's buffers any more: the socket has
   * written it, or there was nothing to send. Never when the connection closes first.
   */
  readonly onResponseWritten: (callback: () => void) => void;
}

/** Returned by a handler when Kafka sends nothing back (Produce with acks=0). */
export const noResponse = Symbol('noResponse');

type HandlerResult<S extends ApiSchema> = ResponseInput<S> | typeof noResponse;

/**
 * One Kafka API served by this node. The registry of handlers is also the ApiVersions
 * answer, so what we advertise is exactly what we serve.
 */
export interface ApiHandler<S extends ApiSchema> {
  readonly schema: S;
  readonly minVersion: number;
  readonly maxVersion: number;
  /**
   * The lowest version advertised, when lower than the lowest served. Only Produce uses it:
   * librdkafka compresses only if Produce v0 is advertised (librdkafka#4956), as Kafka 4.0
   * also had to do; requests below minVersion still close the connection.
   */
  readonly advertisedMinVersion?: number;
  /** Encode the response as pieces that reference record buffers instead of copying them. */
  readonly respondInPieces?: boolean;
  handle(request: RequestOf<S>, context: RequestContext): HandlerResult<S> | Promise<HandlerResult<S>>;
}

/** A handler of any API, as kept in the registry. */
export type AnyApiHandler = ApiHandler<ApiSchema>;

export function defineHandler<S extends ApiSchema>(handler: ApiHandler<S>): AnyApiHandler {
  return handler as unknown as AnyApiHandler;
}
