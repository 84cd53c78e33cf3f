import { randomUUID } from 'node:crypto';
import {
  ActiveController,
  createTopics,
  deleteTopics,
  registerBroker,
  unfenceBroker,
  type ElectionOptions,
} from '@rill/controller-quorum';
import type { BrokerConfig } from '../config/broker-config.js';
import type { NewTopic, TopicOutcome } from '../metadata/metadata-store.js';
import type { BrokerRegistrationRequest, Committed, ControllerApi } from './controller-rpc.js';
import type { RunningQuorum } from './start-quorum.js';

/**
 * The controller on this node: Kafka admin operations as controller operations on the
 * quorum. It answers only while this node leads the quorum; otherwise ActiveController
 * throws NotLeaderError and the caller follows the leader it names.
 */
export class LocalController implements ControllerApi {
  readonly #active: ActiveController;
  readonly #config: BrokerConfig;

  constructor(quorum: RunningQuorum, config: BrokerConfig, onCommit: (commitMs: number) => void) {
    this.#active = new ActiveController(quorum.node, quorum.metadata, onCommit);
    this.#config = config;
  }

  async createTopics(topics: readonly NewTopic[], validateOnly: boolean): Promise<Committed<TopicOutcome[]>> {
    const options = {
      defaultPartitions: this.#config.int('num.partitions'),
      defaultReplicationFactor: this.#config.int('default.replication.factor'),
      validateOnly,
      newTopicId: () => randomUUID(),
    };
    const result = await this.#active.run((image) => createTopics(image, topics, options));
    return { value: result.response.map(outcome), committedOffset: result.committedOffset };
  }

  async deleteTopics(names: readonly string[]): Promise<Committed<TopicOutcome[]>> {
    const result = await this.#active.run((image) => deleteTopics(image, names));
    return { value: result.response.map(outcome), committedOffset: result.committedOffset };
  }

  /**
   * Registers a broker and unfences it at once. Fencing brokers whose heartbeats stop, and
   * unfencing only brokers that caught up with the metadata log, come with broker heartbeats.
   */
  async registerBroker(request: BrokerRegistrationRequest): Promise<Committed<number>> {
    const election = this.#electionOptions();
    const registration = { ...request, nodeId: request.brokerId };
    const registered = await this.#active.run((image) => registerBroker(image, registration, election));
    if (registered.response.errorCode !== 0) return { value: registered.response.errorCode, committedOffset: registered.committedOffset };
    const unfenced = await this.#active.run((image) => unfenceBroker(image, request.brokerId, election));
    return { value: unfenced.response.errorCode, committedOffset: unfenced.committedOffset };
  }

  #electionOptions(): ElectionOptions {
    return { uncleanLeaderElectionEnable: this.#config.bool('unclean.leader.election.enable') };
  }
}

function outcome(result: { name: string; errorCode: number; errorMessage: string | null }): TopicOutcome {
  return { name: result.name, errorCode: result.errorCode, errorMessage: result.errorMessage };
}
