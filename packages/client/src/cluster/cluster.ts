import { ApiKey, ErrorCode, type RequestInputFor, type ResponseFor } from '@rill/protocol';
import { ConnectionError, InvalidArgumentError, RillError } from '../errors.js';
import { trackedTopicsMax } from '../limits.js';
import { silentLogger, type Logger } from '../logger.js';
import { formatAddress, parseBrokerList, type BrokerAddress } from '../network/address.js';
import { Connection, type RequestOptions } from '../network/connection.js';
import { emptyMetadata, leaderOf, metadataFromResponse, type ClusterMetadata } from './metadata.js';
import { defaultRetry, withRetry, type RetryOptions } from './retry.js';

export interface ClusterOptions {
  /** Bootstrap addresses, `host:port` (comma-separated entries allowed). */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Unanswered requests per connection (max.in.flight.requests.per.connection). */
  readonly maxInFlightRequests?: number;
  readonly retry?: Partial<RetryOptions>;
  readonly logger?: Logger;
  /** Whether Metadata requests may create missing topics (the broker's setting still applies). */
  readonly allowAutoTopicCreation?: boolean;
  /** Refresh metadata at least this often while topics are tracked (metadata.max.age.ms), default 5 min. */
  readonly metadataMaxAgeMs?: number;
}

export interface ResolvedClusterOptions {
  readonly bootstrap: readonly BrokerAddress[];
  readonly clientId: string;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxInFlightRequests: number;
  readonly retry: RetryOptions;
  readonly logger: Logger;
  readonly allowAutoTopicCreation: boolean;
  readonly metadataMaxAgeMs: number;
}

export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  const resolved = {
    bootstrap: parseBrokerList(options.brokers),
    clientId: options.clientId ?? 'rill',
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    maxInFlightRequests: options.maxInFlightRequests ?? 5,
    retry: { ...defaultRetry, ...options.retry },
    logger: options.logger ?? silentLogger,
    allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
    metadataMaxAgeMs: options.metadataMaxAgeMs ?? 300_000,
  };
  for (const key of [
    'connectTimeoutMs',
    'requestTimeoutMs',
    'maxInFlightRequests',
    'metadataMaxAgeMs',
  ] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) {
      throw new InvalidArgumentError(`${key} must be a positive integer, got ${resolved[key]}`);
    }
  }
  return resolved;
}

/**
 * What Producer, Consumer and Admin share: a pool of connections (one per broker address),
 * the latest metadata view, and refreshes of it that callers join instead of repeating.
 */
export class Cluster {
  readonly options: ResolvedClusterOptions;
  readonly #connections = new Map<string, Promise<Connection>>();
  readonly #tracked = new Set<string>();
  #metadata: ClusterMetadata = emptyMetadata;
  #refreshing: Promise<ClusterMetadata> | null = null;
  #queuedRefresh: Promise<ClusterMetadata> | null = null;
  readonly #listeners = new Set<(metadata: ClusterMetadata) => void>();
  #ageTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: ClusterOptions) {
    this.options = resolveClusterOptions(options);
  }

  get metadata(): ClusterMetadata {
    return this.#metadata;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  /** Starts tracking topics: later refreshes ask for them. */
  track(topics: Iterable<string>): void {
    for (const topic of topics) {
      if (this.#tracked.has(topic)) continue;
      if (this.#tracked.size >= trackedTopicsMax) {
        throw new InvalidArgumentError(`a client tracks at most ${trackedTopicsMax} topics`);
      }
      this.#tracked.add(topic);
    }
  }

  leaderFor(topic: string, partition: number): number | undefined {
    return leaderOf(this.#metadata, topic, partition);
  }

  /**
   * A fresh metadata view. A refresh already running may predate the caller's reason to ask
   * (a leader moved), so callers during a refresh share one more refresh queued after it.
   */
  refreshMetadata(): Promise<ClusterMetadata> {
    if (this.#queuedRefresh !== null) return this.#queuedRefresh;
    if (this.#refreshing !== null) {
      this.#queuedRefresh = this.#refreshing
        .catch(() => undefined)
        .then(() => {
          this.#queuedRefresh = null;
          return this.#startRefresh();
        });
      return this.#queuedRefresh;
    }
    return this.#startRefresh();
  }

  /** Metadata that includes `topics`, refreshing only if one of them is unknown. */
  async metadataFor(topics: readonly string[]): Promise<ClusterMetadata> {
    this.track(topics);
    if (topics.every((topic) => this.#metadata.topics.has(topic))) return this.#metadata;
    return this.refreshMetadata();
  }

  /**
   * Fresh metadata for `topics` (null = every topic) without tracking them, for admin
   * questions; the answer is merged into the shared view.
   */
  async describeTopics(topics: readonly string[] | null): Promise<ClusterMetadata> {
    const response = await this.requestAny(ApiKey.Metadata, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
    });
    // An answer about every topic replaces the view, so deleted topics drop out of it.
    const merged = metadataFromResponse(response, this.#metadata, topics !== null);
    this.#metadata = merged;
    if (topics === null) return merged;
    const wanted = new Set(topics);
    return { ...merged, topics: new Map([...merged.topics].filter(([name]) => wanted.has(name))) };
  }

  /**
   * Keeps metadata at most metadataMaxAgeMs old while topics are tracked, so partitions
   * added to a topic are noticed without an error to trigger a refresh.
   */
  keepFresh(): void {
    if (this.#ageTimer !== null || this.#closed) return;
    this.#ageTimer = setInterval(() => {
      if (this.#tracked.size > 0)
        this.refreshMetadata().catch((error: unknown) =>
          this.logger.debug('periodic metadata refresh failed', { error: String(error) }),
        );
    }, this.options.metadataMaxAgeMs);
    this.#ageTimer.unref();
  }

  /** Called after every refresh of tracked topics (group leaders watch partition counts). */
  onMetadata(listener: (metadata: ClusterMetadata) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #startRefresh(): Promise<ClusterMetadata> {
    const refresh = this.#fetchMetadata().finally(() => {
      if (this.#refreshing === refresh) this.#refreshing = null;
    });
    this.#refreshing = refresh;
    return refresh;
  }

  async #fetchMetadata(): Promise<ClusterMetadata> {
    const topics = [...this.#tracked].map((name) => ({ name }));
    const response = await this.requestAny(ApiKey.Metadata, {
      topics,
      allowAutoTopicCreation: this.options.allowAutoTopicCreation,
    });
    this.#metadata = metadataFromResponse(response, this.#metadata, false);
    for (const listener of this.#listeners) listener(this.#metadata);
    return this.#metadata;
  }

  /** The connection to a broker by node id, opening it if needed. */
  async nodeConnection(nodeId: number): Promise<Connection> {
    let broker = this.#metadata.brokers.get(nodeId);
    if (broker === undefined) {
      await this.refreshMetadata();
      broker = this.#metadata.brokers.get(nodeId);
    }
    if (broker === undefined) {
      throw new RillError(`broker ${nodeId} is not in the cluster metadata`, { retriable: true });
    }
    return this.connectionTo({ host: broker.host, port: broker.port });
  }

  connectionTo(address: BrokerAddress): Promise<Connection> {
    if (this.#closed)
      return Promise.reject(new RillError('the client is closed', { retriable: false }));
    const key = formatAddress(address);
    const existing = this.#connections.get(key);
    if (existing !== undefined) return existing;
    const opening = Connection.open({
      address,
      clientId: this.options.clientId,
      connectTimeoutMs: this.options.connectTimeoutMs,
      requestTimeoutMs: this.options.requestTimeoutMs,
      maxInFlight: this.options.maxInFlightRequests,
    });
    this.#connections.set(key, opening);
    opening.then(
      (connection) => connection.onClose(() => this.#forget(key, opening)),
      () => this.#forget(key, opening),
    );
    return opening;
  }

  #forget(key: string, entry: Promise<Connection>): void {
    if (this.#connections.get(key) === entry) this.#connections.delete(key);
  }

  /**
   * A connection to any reachable broker: known brokers first, then the bootstrap list.
   * If none answers, the error names every address tried and why.
   */
  async anyConnection(): Promise<Connection> {
    const known = [...this.#metadata.brokers.values()].map((b) => ({ host: b.host, port: b.port }));
    const candidates = uniqueAddresses([...known, ...this.options.bootstrap]);
    const failures: string[] = [];
    for (const address of candidates) {
      try {
        return await this.connectionTo(address);
      } catch (error) {
        if (!(error instanceof ConnectionError)) throw error;
        failures.push(error.message);
      }
    }
    const tried = candidates.map(formatAddress).join(', ');
    throw new ConnectionError(
      tried,
      `cannot reach any broker (tried ${tried}):\n  ${failures.join('\n  ')}`,
    );
  }

  /** A request to any broker, retried on another broker if the connection fails. */
  requestAny<K extends ApiKey>(
    apiKey: K,
    body: RequestInputFor<K>,
    options?: RequestOptions,
  ): Promise<ResponseFor<K>> {
    return withRetry(
      async () => (await this.anyConnection()).request(apiKey, body, options),
      this.options.retry,
    );
  }

  /** A request to the controller (admin operations), retried on NOT_CONTROLLER and lost connections. */
  async controllerConnection(): Promise<Connection> {
    if (this.#metadata.brokers.size === 0) await this.refreshMetadata();
    const controllerId = this.#metadata.controllerId;
    if (controllerId >= 0 && this.#metadata.brokers.has(controllerId))
      return this.nodeConnection(controllerId);
    return this.anyConnection();
  }

  /** Connections currently open (for `cluster info` and tests). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#ageTimer !== null) clearInterval(this.#ageTimer);
    this.#listeners.clear();
    const open = [...this.#connections.values()];
    this.#connections.clear();
    for (const entry of open) {
      try {
        (await entry).close();
      } catch {
        // A connection that never opened has nothing to close.
      }
    }
  }
}

function uniqueAddresses(addresses: readonly BrokerAddress[]): BrokerAddress[] {
  const seen = new Set<string>();
  return addresses.filter((address) => {
    const key = formatAddress(address);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** True for the topic-level metadata errors that clear up by themselves (creation, election). */
export function isTransientTopicError(code: number): boolean {
  return code === ErrorCode.LEADER_NOT_AVAILABLE || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
}
