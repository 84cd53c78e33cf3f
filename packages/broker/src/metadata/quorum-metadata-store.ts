import { ErrorCode } from '@rill/protocol';
import type {
  AllocateProducerIdsResponse,
  AlterPartitionItem,
  AlterPartitionOutcome,
  CommittedMetadata,
  MetadataDelta,
  MetadataImage,
  RaftCore,
} from '@rill/controller-quorum';
import type { Logger } from 'pino';
import {
  NotControllerError,
  remoteController,
  type BrokerHeartbeat,
  type BrokerRegistrationRequest,
  type Committed,
  type ControllerApi,
} from '../quorum/controller-rpc.js';
import type { ClusterView } from './cluster-view.js';
import { clusterViewFrom } from './image-view.js';
import type {
  MetadataStore,
  NewTopic,
  PartitionIncrease,
  QuorumStatus,
  TopicConfigChange,
  TopicOutcome,
} from './metadata-store.js';

export interface QuorumMetadataStoreOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly committed: CommittedMetadata;
  /** This node's quorum core, to learn who leads; null on a broker that is not a voter. */
  readonly core: () => RaftCore;
  /** The controller on this node, when it has the controller role. */
  readonly localController: ControllerApi | null;
  /** Internal gRPC address of each voter, to forward to the active controller. */
  readonly voters: ReadonlyMap<number, string>;
  readonly logger: Logger;
}

/** How long an admin request keeps looking for an active controller before giving up. */
const findControllerMs = 15_000;

/** DescribeQuorum is a read: it gives up sooner, and the client asks again. */
const describeQuorumMs = 5_000;

/**
 * Metadata from the replicated log. Reads come from this node's replayed image; changes go
 * to the active controller (here, or forwarded over gRPC) and are answered once this node
 * has replayed them, so a client that created a topic can use it on the broker it asked.
 */
export class QuorumMetadataStore implements MetadataStore {
  readonly #options: QuorumMetadataStoreOptions;
  readonly #listeners: ((view: ClusterView) => void | Promise<void>)[] = [];
  readonly #remotes = new Map<number, ControllerApi & { close(): void }>();
  #view: ClusterView;
  #changes: Promise<void> = Promise.resolve();
  #voterCursor = 0;
  /** The incarnation this broker registered with; ISR changes are sent under it. */
  #incarnationId: string | null = null;

  constructor(options: QuorumMetadataStoreOptions) {
    this.#options = options;
    this.#view = this.#viewOf(options.committed.image);
    options.committed.subscribe((delta, image) => this.#onPublish(delta, image));
  }

  current(): ClusterView {
    return this.#view;
  }

  onTopicsChanged(listener: (view: ClusterView) => void | Promise<void>): void {
    this.#listeners.push(listener);
  }

  createTopics(topics: readonly NewTopic[], options: { readonly validateOnly: boolean }): Promise<TopicOutcome[]> {
    return this.#change(topics.map((t) => t.name), (controller) => controller.createTopics(topics, options.validateOnly));
  }

  deleteTopics(names: readonly string[]): Promise<TopicOutcome[]> {
    return this.#change(names, (controller) => controller.deleteTopics(names));
  }

  createPartitions(increases: readonly PartitionIncrease[], options: { readonly validateOnly: boolean }): Promise<TopicOutcome[]> {
    return this.#change(increases.map((t) => t.name), (controller) => controller.createPartitions(increases, options.validateOnly));
  }

  alterTopicConfigs(changes: readonly TopicConfigChange[], options: { readonly validateOnly: boolean }): Promise<TopicOutcome[]> {
    return this.#change(changes.map((c) => c.name), (controller) => controller.alterConfigs(changes, options.validateOnly));
  }

  /** Asks the active controller (here or forwarded), as Kafka's brokers forward DescribeQuorum. */
  async describeQuorum(): Promise<QuorumStatus | null> {
    const answer = await this.#withController((controller) => controller.describeQuorum(), describeQuorumMs);
    return answer?.value ?? null;
  }

  /**
   * A topic change on the active controller, answered once this node has replayed it;
   * NOT_CONTROLLER for every topic when no controller answered in time.
   */
  async #change(names: readonly string[], call: (controller: ControllerApi) => Promise<Committed<TopicOutcome[]>>): Promise<TopicOutcome[]> {
    if (names.length === 0) return [];
    const answer = await this.#withController(call);
    if (answer === null) return names.map(notController);
    await this.#caughtUp(answer.committedOffset);
    return answer.value;
  }

  /** Registers this broker; true once this node has replayed the registration. */
  async registerBroker(registration: BrokerRegistrationRequest): Promise<boolean> {
    const answer = await this.#withController((controller) => controller.registerBroker(registration));
    if (answer === null || answer.value !== ErrorCode.NONE) {
      this.#options.logger.warn({ errorCode: answer?.value ?? null }, 'broker registration not accepted yet; retrying');
      return false;
    }
    await this.#caughtUp(answer.committedOffset);
    this.#incarnationId = registration.incarnationId;
    return true;
  }

  /** One heartbeat to the active controller; null when no controller answered in time. */
  async brokerHeartbeat(heartbeat: BrokerHeartbeat, timeoutMs: number): Promise<{ errorCode: number; isFenced: boolean } | null> {
    const answer = await this.#withController((controller) => controller.brokerHeartbeat(heartbeat), timeoutMs);
    if (answer === null) return null;
    if (answer.committedOffset >= 0) await this.#caughtUp(answer.committedOffset);
    return answer.value;
  }

  /**
   * This broker's ISR change for partitions it leads (AlterPartition), sent under the
   * broker id and incarnation it registered with. Each item carries the leader and partition
   * epochs the leader last saw; the answer has one outcome per item, in order: NONE with the
   * new state, or the refusal with the state as it stands (INVALID_UPDATE_VERSION: a newer
   * partition epoch exists; FENCED_LEADER_EPOCH: leadership moved; INELIGIBLE_REPLICA: a
   * joining replica is fenced; NOT_CONTROLLER: the controller has not seen our leader epoch
   * yet; STALE_BROKER_EPOCH: our registration was replaced). Returns once this node has
   * replayed the controller's answer, so current() and the onTopicsChanged listeners already
   * show it — do not await it from inside such a listener. Null when this broker has not
   * registered yet or no controller answered within `timeoutMs`: nothing is known, retry.
   */
  async alterPartition(partitions: readonly AlterPartitionItem[], timeoutMs: number): Promise<AlterPartitionOutcome[] | null> {
    const incarnationId = this.#incarnationId;
    if (incarnationId === null) return null;
    const request = { brokerId: this.#options.nodeId, incarnationId, partitions };
    const answer = await this.#withController((controller) => controller.alterPartition(request), timeoutMs);
    if (answer === null) return null;
    await this.#caughtUp(answer.committedOffset);
    return answer.value;
  }

  /**
   * A new block of producer ids for this broker (AllocateProducerIds): committed in the
   * metadata log before the controller answers, so it is this broker's alone. The answer's
   * error code says why not (STALE_BROKER_EPOCH: our registration was replaced). Null when
   * this broker has not registered yet or no controller answered within `timeoutMs`.
   */
  async allocateProducerIds(timeoutMs: number): Promise<AllocateProducerIdsResponse | null> {
    const incarnationId = this.#incarnationId;
    if (incarnationId === null) return null;
    const request = { brokerId: this.#options.nodeId, incarnationId };
    const answer = await this.#withController((controller) => controller.allocateProducerIds(request), timeoutMs);
    return answer?.value ?? null;
  }

  /**
   * Calls the active controller, following leadership changes; null when none answers in
   * time. When this node knows no leader (an observer that has not found it yet), it asks
   * the voters in turn: one that is not the leader names the leader in its refusal.
   * A call that is still unanswered at the deadline is abandoned, not awaited: a controller
   * that is paused or cut off holds its calls for as long as gRPC lets it, and a broker
   * whose heartbeat waits that long is fenced while a new controller takes over.
   */
  async #withController<T>(call: (controller: ControllerApi) => Promise<Committed<T>>, timeoutMs = findControllerMs): Promise<Committed<T> | null> {
    const deadline = Date.now() + timeoutMs;
    let leaderHint: number | null = this.#options.core().leaderId;
    while (Date.now() < deadline) {
      const controller = this.#controllerFor(leaderHint ?? this.#options.core().leaderId ?? this.#nextVoter());
      if (controller !== null) {
        try {
          return await answeredBy(call(controller), deadline);
        } catch (error) {
          if (!(error instanceof NotControllerError)) this.#options.logger.debug({ err: error }, 'controller call failed; retrying');
          leaderHint = error instanceof NotControllerError ? error.leaderId : null;
          if (leaderHint !== null) continue;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return null;
  }

  #nextVoter(): number | null {
    const voters = [...this.#options.voters.keys()];
    if (voters.length === 0) return null;
    this.#voterCursor = (this.#voterCursor + 1) % voters.length;
    return voters[this.#voterCursor]!;
  }

  #controllerFor(leaderId: number | null): ControllerApi | null {
    if (leaderId === null) return null;
    if (leaderId === this.#options.nodeId && this.#options.localController !== null) return this.#options.localController;
    const address = this.#options.voters.get(leaderId);
    if (address === undefined) return null;
    let remote = this.#remotes.get(leaderId);
    if (remote === undefined) {
      remote = remoteController(address, this.#options.clusterId);
      this.#remotes.set(leaderId, remote);
    }
    return remote;
  }

  async #caughtUp(offset: number): Promise<void> {
    await this.#options.committed.waitForOffset(offset);
    await this.#changes;
  }

  #onPublish(delta: MetadataDelta, image: MetadataImage): void {
    const next = this.#viewOf(image);
    this.#view = next;
    // Untouched sub-images are reused by reference: same topics and configs, nothing to do.
    if (delta.image.topics === image.topics && delta.image.configs.topic === image.configs.topic) return;
    this.#changes = this.#changes.then(async () => {
      for (const listener of this.#listeners) await listener(next);
    });
  }

  #viewOf(image: MetadataImage): ClusterView {
    return clusterViewFrom(image, { clusterId: this.#options.clusterId, selfId: this.#options.nodeId });
  }

  close(): void {
    for (const remote of this.#remotes.values()) remote.close();
  }
}

/** `answer`, or null if it has not come by `deadline` (a late answer is dropped). */
function answeredBy<T>(answer: Promise<T>, deadline: number): Promise<T | null> {
  answer.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

function notController(name: string): TopicOutcome {
  return { name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'no active controller answered; the quorum may be electing one' };
}
