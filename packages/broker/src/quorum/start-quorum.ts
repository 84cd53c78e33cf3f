import { join } from 'node:path';
import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { CommittedMetadata, QuorumNode, type RaftCore, type RaftEvent } from '@rill/controller-quorum';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import { formatHostPort, parseHostPort, parseVoter } from '../config/addresses.js';
import type { NodeMetrics } from '../observability/metrics.js';

export interface RunningQuorum {
  readonly node: QuorumNode;
  readonly metadata: CommittedMetadata;
  /** Internal gRPC address of every voter, by node id. */
  readonly voters: ReadonlyMap<number, string>;
  readonly service: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

const raftStates = ['unattached', 'follower', 'prospective', 'candidate', 'leader', 'observer'] as const;

/**
 * Opens this node's member of the metadata quorum: a voter when it has the controller role,
 * else an observer that only replicates the log. Its committed records build the image.
 */
export async function startQuorum(options: {
  config: BrokerConfig;
  clusterId: string;
  metrics: NodeMetrics;
  logger: Logger;
}): Promise<RunningQuorum> {
  const { config, metrics, logger } = options;
  const voters = new Map(config.list('controller.quorum.voters').map((text) => {
    const voter = parseVoter(text);
    return [voter.id, formatHostPort(voter)] as const;
  }));
  const metadataDir = config.optionalString('metadata.log.dir') ?? config.list('log.dirs')[0]!;
  let node: QuorumNode | null = null;
  const metadata = new CommittedMetadata({
    snapshotEveryBytes: config.int('metadata.log.max.record.bytes.between.snapshots'),
    takeSnapshot: (id, data) => node?.snapshotTaken(id, data),
    logger,
  });
  node = await QuorumNode.open({
    nodeId: config.int('node.id'),
    clusterId: options.clusterId,
    voters,
    selfAddress: internalAddress(config),
    dataDir: join(metadataDir, '__cluster_metadata-0'),
    timings: {
      electionTimeoutMs: config.int('controller.quorum.election.timeout.ms'),
      fetchTimeoutMs: config.int('controller.quorum.fetch.timeout.ms'),
      electionBackoffMaxMs: config.int('controller.quorum.election.backoff.max.ms'),
      requestTimeoutMs: config.int('controller.quorum.request.timeout.ms'),
    },
    sink: metadata,
    logger,
    onEvent: (event) => logEvent(logger, metrics, event),
    onStep: (core) => reportState(metrics, core),
  });
  return { node, metadata, voters, service: QuorumNode.service, implementation: node.serviceImplementation() };
}

function logEvent(logger: Logger, metrics: NodeMetrics, event: RaftEvent): void {
  if (event.kind === 'snapshot' || event.kind === 'truncated') {
    logger.info({ epoch: event.epoch, leaderId: event.leaderId, reason: event.reason }, `quorum: ${event.reason}`);
    return;
  }
  if (event.kind !== 'role') return;
  if (event.role === 'leader') metrics.raftElections.inc();
  logger.info({ role: event.role, epoch: event.epoch, leaderId: event.leaderId, reason: event.reason }, `quorum: ${event.role} in epoch ${event.epoch}`);
}

function reportState(metrics: NodeMetrics, core: RaftCore): void {
  metrics.raftLeaderId.set(core.leaderId ?? -1);
  metrics.raftEpoch.set(core.epoch);
  metrics.raftHighWatermark.set(core.highWatermark);
  const current = core.isVoter ? core.role : 'observer';
  for (const state of raftStates) metrics.raftState.set({ state }, state === current ? 1 : 0);
}

/** How other nodes reach this one's internal listener. */
export function internalAddress(config: BrokerConfig): string {
  const text = config.optionalString('internal.advertised.listener') ?? config.string('internal.listener');
  const address = parseHostPort(text, 'internal.advertised.listener');
  const host = address.host === '0.0.0.0' || address.host === '::' ? 'localhost' : address.host;
  return formatHostPort({ host, port: address.port });
}
