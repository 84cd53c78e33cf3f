import { randomInt, randomUUID } from 'node:crypto';
import { SeededRandom } from '@rill/base';
import { ErrorCode } from '@rill/protocol';
import type { Logger } from 'pino';
import type { BrokerConfig } from './config/broker-config.js';
import { parseHostPort, parseListener, type ListenerAddress } from './config/addresses.js';
import { GroupCoordinator } from './groups/group-coordinator.js';
import { createDispatcher } from './handlers/dispatcher.js';
import { buildHandlerRegistry } from './handlers/registry.js';
import { InternalServer } from './internal/internal-server.js';
import { QuorumMetadataStore } from './metadata/quorum-metadata-store.js';
import { KafkaListener } from './network/kafka-listener.js';
import { ReadBufferPool } from './network/read-buffer-pool.js';
import { formatOrCheckLogDirs } from './node-identity.js';
import { countLeaderElections, reportClusterState } from './observability/cluster-metrics.js';
import { componentLogger } from './observability/logger.js';
import { HttpAdminServer } from './observability/http-server.js';
import { NodeMetrics } from './observability/metrics.js';
import { PartitionManager } from './partitions/partition-manager.js';
import { ProducerIdManager } from './producer-ids/producer-id-manager.js';
import {
  controllerService,
  controllerServiceImplementation,
  type BrokerRegistrationRequest,
  type ControllerApi,
} from './quorum/controller-rpc.js';
import { LocalController } from './quorum/local-controller.js';
import { BrokerMembership } from './quorum/register-broker.js';
import { serveOffsetForLeaderEpoch, serveReplicaFetch } from './replication/leader-service.js';
import { ReplicaManager, replicaFetchResponseBytesMax } from './replication/replica-manager.js';
import { replicationService, replicationServiceImplementation } from './replication/replication-rpc.js';
import { internalAddress, startQuorum, type RunningQuorum } from './quorum/start-quorum.js';

export const rillVersion = '0.1.0';

/** How long a stopping broker waits for the controller to move its leaderships away. */
const controlledShutdownMs = 5000;

/** Pause after a failed producer id block allocation before the next attempt. */
const producerIdRetryBackoffMs = 100;

/**
 * One rill-server process: the admin HTTP listener, storage, the metadata quorum member
 * (controller role), the partitions and Kafka listeners (broker role), started in
 * dependency order and stopped in reverse.
 */
export class RillNode {
  readonly config: BrokerConfig;
  readonly metrics = new NodeMetrics();
  readonly #logger: Logger;
  readonly #listeners: KafkaListener[] = [];
  #http: HttpAdminServer | null = null;
  #internal: InternalServer | null = null;
  #quorum: RunningQuorum | null = null;
  #partitions: PartitionManager | null = null;
  #metadata: QuorumMetadataStore | null = null;
  #controller: LocalController | null = null;
  #membership: BrokerMembership | null = null;
  #replicas: ReplicaManager | null = null;
  #groups: GroupCoordinator | null = null;
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
    const roles = config.list('process.roles');
    this.metrics.buildInfo.set({ version: rillVersion, node_id: String(nodeId), roles: roles.join(',') }, 1);
    this.#http = new HttpAdminServer(parseHostPort(config.string('http.listener'), 'http.listener'), this.metrics, {
      healthy: () => true,
      ready: () => this.#ready,
    }, componentLogger(this.#logger, 'http'));
    await this.#http.listen();

    const logDirs = config.list('log.dirs');
    const clusterId = await formatOrCheckLogDirs({
      logDirs, nodeId, configuredClusterId: config.optionalString('cluster.id'), voters: config.list('controller.quorum.voters'),
    });
    this.#internal = new InternalServer(parseHostPort(config.string('internal.listener'), 'internal.listener'), componentLogger(this.#logger, 'internal'));
    const quorum = await startQuorum({ config, clusterId, metrics: this.metrics, logger: componentLogger(this.#logger, 'quorum') });
    this.#quorum = quorum;
    this.#internal.addService(quorum.service, quorum.implementation);
    let controller: ControllerApi | null = null;
    if (roles.includes('controller')) {
      const local = new LocalController({
        quorum, config, logger: componentLogger(this.#logger, 'controller'),
        onCommit: (ms) => this.metrics.raftCommitDuration.observe(ms / 1000),
      });
      this.#controller = local;
      controller = local;
      this.#internal.addService(controllerService, controllerServiceImplementation(controller, clusterId));
    }
    this.metrics.beforeScrape(() => reportClusterState(this.metrics, quorum.metadata.image, quorum.node.core, nodeId));
    quorum.metadata.subscribe((delta, image) => countLeaderElections(this.metrics, delta, image));
    await this.#internal.listen();
    quorum.node.start();
    if (roles.includes('broker')) await this.#startBroker({ nodeId, clusterId, logDirs, quorum, controller });
    this.#ready = true;
    this.#logger.info({ clusterId, roles, kafka: this.kafkaPorts, http: this.httpPort, logDirs }, 'rill-server is ready');
  }

  async stop(): Promise<void> {
    this.#ready = false;
    if (this.#membership !== null) {
      const moved = await this.#membership.leave(controlledShutdownMs);
      this.#logger.info({ leadershipsMoved: moved }, moved ? 'controlled shutdown: leaderships moved' : 'controlled shutdown: no controller answered');
    }
    for (const listener of this.#listeners) await listener.close();
    this.#groups?.close();
    await this.#replicas?.stop();
    await this.#partitions?.close();
    this.#controller?.stop();
    this.#metadata?.close();
    await this.#quorum?.node.stop();
    await this.#internal?.close();
    await this.#http?.close();
    this.#logger.info('rill-server stopped cleanly');
  }

  async #startBroker(options: {
    nodeId: number;
    clusterId: string;
    logDirs: readonly string[];
    quorum: RunningQuorum;
    controller: ControllerApi | null;
  }): Promise<void> {
    const { config } = this;
    const { nodeId, clusterId, logDirs, quorum } = options;
    const metadata = new QuorumMetadataStore({
      nodeId, clusterId, committed: quorum.metadata, core: () => quorum.node.core,
      localController: options.controller, voters: quorum.voters, logger: componentLogger(this.#logger, 'metadata'),
    });
    this.#metadata = metadata;
    const registration = this.#registration(nodeId);
    const membership = new BrokerMembership(metadata, registration, {
      sessionTimeoutMs: config.int('broker.session.timeout.ms'),
      logger: componentLogger(this.#logger, 'membership'),
    });
    this.#membership = membership;
    await membership.join(config.int('broker.heartbeat.interval.ms'));
    const mayAcknowledge = (): boolean => membership.holdsLease();
    const partitions = new PartitionManager({
      nodeId, config, logDirs, metrics: this.metrics, logger: componentLogger(this.#logger, 'partitions'), mayAcknowledge,
    });
    this.#partitions = partitions;
    const replicas = new ReplicaManager({
      nodeId, clusterId, config, partitions, incarnationId: registration.incarnationId, currentView: () => metadata.current(),
      alterPartition: async (item) => (await metadata.alterPartition([item], config.int('broker.session.timeout.ms')))?.[0] ?? null,
      metrics: this.metrics,
      logger: componentLogger(this.#logger, 'replication'),
    });
    this.#replicas = replicas;
    const groups = new GroupCoordinator({
      nodeId, config, metadata, partitions, metrics: this.metrics, logger: componentLogger(this.#logger, 'groups'), mayAcknowledge,
      random: new SeededRandom(randomInt(0x1_0000_0000)),
    });
    this.#groups = groups;
    await partitions.load(metadata.current());
    metadata.onTopicsChanged(async (view) => {
      await partitions.sync(view);
      replicas.apply(view);
      groups.rolesChanged();
    });
    await partitions.sync(metadata.current());
    replicas.apply(metadata.current());
    replicas.start();
    groups.rolesChanged();
    groups.start();
    this.#internal?.addService(replicationService, replicationServiceImplementation({
      clusterId,
      fetch: (request) => serveReplicaFetch(request, {
        partitions, responseBytesMax: replicaFetchResponseBytesMax, followerFetched: (p) => replicas.followerFetched(p),
        brokerEpochOf: (replicaId, incarnationId) => replicas.brokerEpochOf(replicaId, incarnationId),
      }),
      offsetForLeaderEpoch: (request) => serveOffsetForLeaderEpoch(request, partitions),
    }));
    partitions.startSchedules();
    this.metrics.beforeScrape(() => partitions.reportGauges());
    const producerIds = new ProducerIdManager({
      allocate: async () => {
        const answer = await metadata.allocateProducerIds(config.int('broker.session.timeout.ms'));
        if (answer?.errorCode !== ErrorCode.NONE) return null;
        return { start: answer.producerIdStart, length: answer.producerIdLen };
      },
      retryBackoffMs: producerIdRetryBackoffMs,
      logger: componentLogger(this.#logger, 'producer-ids'),
    });
    const dispatch = createDispatcher({
      registry: buildHandlerRegistry(),
      services: {
        nodeId, config, metadata, partitions, groups, producerIds, metrics: this.metrics,
        logger: componentLogger(this.#logger, 'requests'), readBuffers: new ReadBufferPool(), mayAcknowledge,
      },
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
  }

  /** What this broker tells the controller about itself: advertised endpoints and addresses. */
  #registration(nodeId: number): BrokerRegistrationRequest {
    const listeners = this.config.list('listeners').map((l) => parseListener(l, 'listeners'));
    const advertised = this.config.list('advertised.listeners').map((l) => parseListener(l, 'advertised.listeners'));
    const endpoints = listeners.map((listener): ListenerAddress => {
      const explicit = advertised.find((a) => a.name === listener.name);
      if (explicit) return explicit;
      return { ...listener, host: routableHost(listener.host) };
    });
    return {
      brokerId: nodeId,
      incarnationId: randomUUID(),
      endpoints,
      rack: this.config.optionalString('broker.rack'),
      internalAddress: parseHostPort(internalAddress(this.config), 'internal.advertised.listener'),
    };
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
