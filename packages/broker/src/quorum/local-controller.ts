import { randomUUID } from 'node:crypto';
import {
  ActiveController,
  NotLeaderError,
  QuorumNode,
  allocateProducerIds,
  alterPartition,
  alterTopicConfigs,
  createPartitions,
  createTopics,
  deleteTopics,
  registerBroker,
  type AllocateProducerIdsResponse,
  type AlterPartitionOutcome,
  type AlterPartitionRequest,
  type ElectionOptions,
  type RaftCore,
  type ReplicaState,
} from '@rill/controller-quorum';
import { ErrorCode } from '@rill/protocol';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import type {
  NewTopic,
  PartitionIncrease,
  QuorumReplica,
  QuorumStatus,
  TopicConfigChange,
  TopicOutcome,
} from '../metadata/metadata-store.js';
import { BrokerSessions, type RunOperation } from './broker-sessions.js';
import { LeaderRebalance } from './leader-rebalance.js';
import {
  NotControllerError,
  type AllocateProducerIdsRequest,
  type BrokerHeartbeat,
  type BrokerRegistrationRequest,
  type Committed,
  type ControllerApi,
} from './controller-rpc.js';
import type { RunningQuorum } from './start-quorum.js';

/** How often the active controller looks for brokers whose session lapsed. */
const sessionCheckIntervalMs = 250;

/**
 * The controller on this node: Kafka admin operations as controller operations on the
 * quorum. It answers only while this node leads the quorum; otherwise ActiveController
 * throws NotLeaderError and the caller follows the leader it names.
 */
export class LocalController implements ControllerApi {
  readonly #run: RunOperation;
  readonly #config: BrokerConfig;
  readonly #sessions: BrokerSessions;
  readonly #rebalance: LeaderRebalance;
  readonly #logger: Logger;
  readonly #core: () => RaftCore;

  constructor(options: { quorum: RunningQuorum; config: BrokerConfig; logger: Logger; onCommit: (commitMs: number) => void }) {
    const active = new ActiveController(options.quorum.node, options.quorum.metadata, options.onCommit);
    // Callers outside the quorum package know "not the controller": say it their way.
    this.#run = (operation) =>
      active.run(operation).catch((error: unknown) => {
        throw error instanceof NotLeaderError ? new NotControllerError(error.leaderId, error.message) : error;
      });
    this.#config = options.config;
    this.#logger = options.logger;
    this.#core = () => options.quorum.node.core;
    this.#sessions = new BrokerSessions({
      node: options.quorum.node,
      run: this.#run,
      sessionTimeoutMs: options.config.int('broker.session.timeout.ms'),
      election: () => this.#electionOptions(),
      logger: options.logger,
    });
    this.#sessions.start(sessionCheckIntervalMs);
    this.#rebalance = new LeaderRebalance({
      core: () => options.quorum.node.core,
      run: this.#run,
      imbalancePerBrokerPercentage: options.config.int('leader.imbalance.per.broker.percentage'),
      logger: options.logger,
    });
    if (options.config.bool('auto.leader.rebalance.enable')) {
      this.#rebalance.start(options.config.int('leader.imbalance.check.interval.seconds') * 1000);
    }
  }

  stop(): void {
    this.#sessions.stop();
    this.#rebalance.stop();
  }

  async createTopics(topics: readonly NewTopic[], validateOnly: boolean): Promise<Committed<TopicOutcome[]>> {
    const options = {
      defaultPartitions: this.#config.int('num.partitions'),
      defaultReplicationFactor: this.#config.int('default.replication.factor'),
      validateOnly,
      newTopicId: () => randomUUID(),
    };
    const result = await this.#run((image) => createTopics(image, topics, options));
    return { value: result.response.map(outcome), committedOffset: result.committedOffset };
  }

  async deleteTopics(names: readonly string[]): Promise<Committed<TopicOutcome[]>> {
    const result = await this.#run((image) => deleteTopics(image, names));
    return { value: result.response.map(outcome), committedOffset: result.committedOffset };
  }

  /** One controller operation per topic, so each topic's change commits on its own. */
  async createPartitions(increases: readonly PartitionIncrease[], validateOnly: boolean): Promise<Committed<TopicOutcome[]>> {
    const outcomes: TopicOutcome[] = [];
    let committedOffset = -1;
    for (const increase of increases) {
      const result = await this.#run((image) => createPartitions(image, increase, { validateOnly }));
      outcomes.push(outcome(result.response));
      committedOffset = Math.max(committedOffset, result.committedOffset);
    }
    return { value: outcomes, committedOffset };
  }

  /** One controller operation per topic, like createPartitions: each commits on its own. */
  async alterConfigs(changes: readonly TopicConfigChange[], validateOnly: boolean): Promise<Committed<TopicOutcome[]>> {
    const outcomes: TopicOutcome[] = [];
    let committedOffset = -1;
    for (const change of changes) {
      const result = await this.#run((image) => alterTopicConfigs(image, change, { validateOnly }));
      outcomes.push(outcome(result.response));
      committedOffset = Math.max(committedOffset, result.committedOffset);
      if (result.response.errorCode === ErrorCode.NONE && !validateOnly) {
        this.#logger.info({ topic: change.name, operations: change.operations.length, replace: change.replace }, 'topic configs changed');
      }
    }
    return { value: outcomes, committedOffset };
  }

  /**
   * The quorum as this leader sees it (DescribeQuorum). Kafka reports the leader itself as
   * fetched and caught up now; the core's tick times become wall-clock times here.
   */
  async describeQuorum(): Promise<Committed<QuorumStatus>> {
    const core = this.#core();
    const states = core.replicaStates();
    if (states === null) throw new NotControllerError(core.leaderId, 'only the quorum leader describes the quorum');
    const nowMs = Date.now();
    const wallMs = (tick: number | null): number => (tick === null ? -1 : nowMs - (core.now - tick) * QuorumNode.tickMs);
    const replica = (state: ReplicaState): QuorumReplica => ({
      replicaId: state.nodeId,
      logEndOffset: state.logEndOffset,
      lastFetchTimestamp: wallMs(state.lastFetchTick),
      lastCaughtUpTimestamp: wallMs(state.lastCaughtUpTick),
    });
    const self: QuorumReplica = { replicaId: core.nodeId, logEndOffset: core.logEndOffset, lastFetchTimestamp: nowMs, lastCaughtUpTimestamp: nowMs };
    const value = {
      leaderId: core.nodeId,
      leaderEpoch: core.epoch,
      highWatermark: core.highWatermark,
      voters: [self, ...states.voters.map(replica)],
      observers: states.observers.map(replica),
    };
    return { value, committedOffset: -1 };
  }

  /**
   * Registers a broker (fenced, as every registration starts). The broker waits until it has
   * replayed its registration, so its first heartbeat after that, which unfences it, comes
   * from a broker that has caught up with the metadata log.
   */
  async registerBroker(request: BrokerRegistrationRequest): Promise<Committed<number>> {
    const registration = { ...request, nodeId: request.brokerId };
    const registered = await this.#run((image) => registerBroker(image, registration, this.#electionOptions()));
    return { value: registered.response.errorCode, committedOffset: registered.committedOffset };
  }

  brokerHeartbeat(heartbeat: BrokerHeartbeat): Promise<Committed<{ errorCode: number; isFenced: boolean }>> {
    return this.#sessions.heartbeat(heartbeat);
  }

  /** A partition leader's ISR change, checked against the current epochs (alterPartition). */
  async alterPartition(request: AlterPartitionRequest): Promise<Committed<AlterPartitionOutcome[]>> {
    const result = await this.#run((image) => alterPartition(image, request));
    for (const [index, item] of request.partitions.entries()) {
      const { errorCode, isr, partitionEpoch } = result.response[index]!;
      const fields = { brokerId: request.brokerId, topicId: item.topicId, partition: item.partition, isr, partitionEpoch };
      if (errorCode === ErrorCode.NONE) this.#logger.info(fields, 'ISR changed');
      else this.#logger.info({ ...fields, errorCode, asked: item.newIsr }, 'ISR change refused');
    }
    return { value: result.response, committedOffset: result.committedOffset };
  }

  /**
   * The next block of producer ids for a broker (allocateProducerIds), refused with
   * STALE_BROKER_EPOCH when the request comes from a registration the broker replaced.
   */
  async allocateProducerIds(request: AllocateProducerIdsRequest): Promise<Committed<AllocateProducerIdsResponse>> {
    const result = await this.#run((image) => {
      const registered = image.cluster.brokers.get(request.brokerId);
      if (registered !== undefined && registered.incarnationId !== request.incarnationId) {
        return { records: [], response: { errorCode: ErrorCode.STALE_BROKER_EPOCH, producerIdStart: -1, producerIdLen: 0 } };
      }
      return allocateProducerIds(image, request.brokerId);
    });
    const { errorCode, producerIdStart, producerIdLen } = result.response;
    if (errorCode === ErrorCode.NONE) this.#logger.info({ brokerId: request.brokerId, producerIdStart, producerIdLen }, 'producer id block allocated');
    return { value: result.response, committedOffset: result.committedOffset };
  }

  #electionOptions(): ElectionOptions {
    return { uncleanLeaderElectionEnable: this.#config.bool('unclean.leader.election.enable') };
  }
}

function outcome(result: { name: string; errorCode: number; errorMessage: string | null }): TopicOutcome {
  return { name: result.name, errorCode: result.errorCode, errorMessage: result.errorMessage };
}

