import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../config/load-config.js';
import { InternalServer } from '../../internal/internal-server.js';
import { QuorumMetadataStore } from '../../metadata/quorum-metadata-store.js';
import { NodeMetrics } from '../../observability/metrics.js';
import { controllerService, controllerServiceImplementation, remoteController, type BrokerRegistrationRequest, type ControllerApi } from '../controller-rpc.js';
import { LocalController } from '../local-controller.js';
import { startQuorum, type RunningQuorum } from '../start-quorum.js';

/**
 * Two nodes in one process, over real gRPC and a real (one-voter) quorum: node 1 is the
 * controller, node 2 a broker-only observer whose QuorumMetadataStore reaches the controller
 * through the Controller service, as a broker on another machine does. Tests register
 * further brokers with `client` (a bare Controller client) and drive their heartbeats.
 */
export interface ControllerHarness {
  readonly clusterId: string;
  readonly controllerQuorum: RunningQuorum;
  readonly controller: LocalController;
  /** Node 2's metadata, registered and unfenced as broker 2 once start returns. */
  readonly store: QuorumMetadataStore;
  readonly brokerQuorum: RunningQuorum;
  /** A Controller client for node 1, for brokers the test plays itself. */
  readonly client: ControllerApi;
  /** Registers broker `brokerId` through `client` and unfences it; returns its incarnation. */
  addBroker(brokerId: number): Promise<string>;
  close(): Promise<void>;
}

export const clusterId = 'harness-cluster';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Polls `condition` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(condition: () => T | null | undefined | Promise<T | null | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Started {
  readonly quorum: RunningQuorum;
  readonly server: InternalServer;
}

async function startNode(options: {
  nodeId: number;
  port: number;
  voters: string;
  dir: string;
  properties: Readonly<Record<string, string | number | boolean>>;
  logger: Logger;
  withController: (quorum: RunningQuorum, server: InternalServer, config: ReturnType<typeof loadConfig>) => void;
}): Promise<Started> {
  const logDir = join(options.dir, `node${options.nodeId}`);
  await mkdir(logDir, { recursive: true });
  const flags = Object.entries({
    'node.id': options.nodeId,
    'process.roles': options.nodeId === 1 ? 'controller' : 'broker',
    'controller.quorum.voters': options.voters,
    'controller.quorum.election.timeout.ms': 100,
    'internal.listener': `127.0.0.1:${options.port}`,
    'log.dirs': logDir,
    'broker.session.timeout.ms': 600_000,
    ...options.properties,
  }).map(([key, value]) => `${key}=${value}`);
  const config = loadConfig({ flags });
  const server = new InternalServer({ host: '127.0.0.1', port: options.port }, options.logger);
  const quorum = await startQuorum({ config, clusterId, metrics: new NodeMetrics(), logger: options.logger });
  server.addService(quorum.service, quorum.implementation);
  options.withController(quorum, server, config);
  await server.listen();
  quorum.node.start();
  return { quorum, server };
}

function registration(brokerId: number, port: number): BrokerRegistrationRequest {
  return {
    brokerId,
    incarnationId: randomUUID(),
    endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19_000 + brokerId }],
    rack: null,
    internalAddress: { host: '127.0.0.1', port },
  };
}

/** Starts both nodes; `properties` apply to both (say, leader.imbalance.check.interval.seconds). */
export async function startControllerHarness(
  properties: Readonly<Record<string, string | number | boolean>> = {},
  logger: Logger = pino({ level: 'silent' }),
): Promise<ControllerHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'rill-controller-harness-'));
  const [port1, port2] = [await freePort(), await freePort()];
  const voters = `1@127.0.0.1:${port1}`;
  let controller: LocalController | null = null;
  const first = await startNode({
    nodeId: 1, port: port1, voters, dir, properties, logger,
    withController: (quorum, server, config) => {
      controller = new LocalController({ quorum, config, logger, onCommit: () => undefined });
      server.addService(controllerService, controllerServiceImplementation(controller, clusterId));
    },
  });
  const second = await startNode({ nodeId: 2, port: port2, voters, dir, properties, logger, withController: () => undefined });
  const store = new QuorumMetadataStore({
    nodeId: 2, clusterId, committed: second.quorum.metadata, core: () => second.quorum.node.core,
    localController: null, voters: second.quorum.voters, logger,
  });
  const client = remoteController(`127.0.0.1:${port1}`, clusterId);
  const ownRegistration = registration(2, port2);
  await eventually(async () => (await store.registerBroker(ownRegistration)) || null, 15_000, 'broker 2 to register');
  await eventually(async () => {
    const answer = await store.brokerHeartbeat({ brokerId: 2, incarnationId: ownRegistration.incarnationId }, 1000);
    return answer?.isFenced === false ? true : null;
  }, 15_000, 'broker 2 to be unfenced');
  return {
    clusterId,
    controllerQuorum: first.quorum,
    controller: controller!,
    store,
    brokerQuorum: second.quorum,
    client,
    async addBroker(brokerId) {
      const request = registration(brokerId, 19_100 + brokerId);
      expect0((await client.registerBroker(request)).value, `registration of broker ${brokerId}`);
      const beat = await client.brokerHeartbeat({ brokerId, incarnationId: request.incarnationId });
      expect0(beat.value.errorCode, `first heartbeat of broker ${brokerId}`);
      return request.incarnationId;
    },
    async close() {
      client.close();
      controller!.stop();
      store.close();
      for (const node of [second, first]) {
        await node.quorum.node.stop();
        await node.server.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function expect0(errorCode: number, what: string): void {
  if (errorCode !== 0) throw new Error(`${what} failed with error code ${errorCode}`);
}
