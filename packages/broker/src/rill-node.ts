import { join } from 'node:path';
import type { Logger } from 'pino';
import type { BrokerConfig } from './config/broker-config.js';
import { parseHostPort, parseListener, type ListenerAddress } from './config/addresses.js';
import { ConfigError } from './config/config-error.js';
import { createDispatcher } from './handlers/dispatcher.js';
import { buildHandlerRegistry } from './handlers/registry.js';
import type { BrokerView } from './metadata/cluster-view.js';
import { LocalMetadataStore } from './metadata/local-metadata-store.js';
import { KafkaListener } from './network/kafka-listener.js';
import { formatOrCheckLogDirs } from './node-identity.js';
import { componentLogger } from './observability/logger.js';
import { HttpAdminServer } from './observability/http-server.js';
import { NodeMetrics } from './observability/metrics.js';
import { PartitionManager } from './partitions/partition-manager.js';

export const rillVersion = '0.1.0';

/**
 * One rill-server process: storage, metadata, the Kafka listeners and the admin HTTP
 * listener, started in dependency order and stopped in reverse.
 */
export class RillNode {
  readonly config: BrokerConfig;
  readonly metrics = new NodeMetrics();
  readonly #logger: Logger;
  readonly #listeners: KafkaListener[] = [];
  #http: HttpAdminServer | null = null;
  #partitions: PartitionManager | null = null;
  #ready = false;

  constructor(config: BrokerConfig, logger: Logger) {
    this.config = config;
    this.#logger = logger;
  }

  get kafkaPorts(): number[] {
    return this.#listeners.map((l) => l.port);
  }

  get httpPort(): number {
    return this.#http?.port ?? 0;
  }

  async start(): Promise<void> {
    const { config } = this;
    const nodeId = config.int('node.id');
    if (config.list('controller.quorum.voters').length > 1) {
      throw new ConfigError('controller.quorum.voters: a quorum of more than one controller is not supported yet; use one voter');
    }
    this.metrics.buildInfo.set({ version: rillVersion, node_id: String(nodeId), roles: config.list('process.roles').join(',') }, 1);
    this.#http = new HttpAdminServer(parseHostPort(config.string('http.listener'), 'http.listener'), this.metrics, {
      healthy: () => true,
      ready: () => this.#ready,
    }, componentLogger(this.#logger, 'http'));
    await this.#http.listen();

    const logDirs = config.list('log.dirs');
    const clusterId = await formatOrCheckLogDirs({ logDirs, nodeId, configuredClusterId: config.optionalString('cluster.id') });
    const metadata = await LocalMetadataStore.open({
      dir: join(logDirs[0]!, '__cluster_metadata'),
      clusterId,
      self: this.#selfView(nodeId),
    });
    const partitions = new PartitionManager({
      nodeId, config, logDirs, metrics: this.metrics, logger: componentLogger(this.#logger, 'partitions'),
    });
    this.#partitions = partitions;
    await partitions.load(metadata.current());
    metadata.onTopicsChanged((change) => partitions.apply(change));
    partitions.startSchedules();
    this.metrics.beforeScrape(() => partitions.reportSizes());

    const registry = buildHandlerRegistry();
    const dispatch = createDispatcher({
      registry,
      services: { nodeId, config, metadata, partitions, metrics: this.metrics, logger: componentLogger(this.#logger, 'requests') },
    });
    for (const text of config.list('listeners')) {
      const listener = new KafkaListener({
        address: parseListener(text, 'listeners'),
        maxFrameBytes: config.int('socket.request.max.bytes'),
        idleTimeoutMs: config.int('connections.max.idle.ms'),
        dispatch,
        logger: componentLogger(this.#logger, 'network'),
        onConnectionCountChange: (name, count) => this.metrics.connections.set({ listener: name }, count),
      });
      await listener.listen();
      this.#listeners.push(listener);
    }
    this.#ready = true;
    this.#logger.info({ clusterId, kafka: this.kafkaPorts, http: this.httpPort, logDirs }, 'rill-server is ready');
  }

  async stop(): Promise<void> {
    this.#ready = false;
    for (const listener of this.#listeners) await listener.close();
    await this.#partitions?.close();
    await this.#http?.close();
    this.#logger.info('rill-server stopped cleanly');
  }

  #selfView(nodeId: number): BrokerView {
    const listeners = this.config.list('listeners').map((l) => parseListener(l, 'listeners'));
    const advertised = this.config.list('advertised.listeners').map((l) => parseListener(l, 'advertised.listeners'));
    const endpoints = listeners.map((listener): ListenerAddress => {
      const explicit = advertised.find((a) => a.name === listener.name);
      if (explicit) return explicit;
      return { ...listener, host: routableHost(listener.host) };
    });
    return { nodeId, rack: null, endpoints };
  }
}

/**
 * A listener bound to every interface cannot be advertised as such: clients need a name to
 * dial. We advertise localhost, which suits the single-machine quick start;
 * advertised.listeners overrides it, as in Kafka.
 */
function routableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host;
}
