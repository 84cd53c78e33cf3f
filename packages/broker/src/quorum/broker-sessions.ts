import { ErrorCode } from '@rill/protocol';
import {
  QuorumNode,
  fenceBroker,
  unfenceBroker,
  type CommittedResult,
  type ControllerOperation,
  type ElectionOptions,
} from '@rill/controller-quorum';
import type { Logger } from 'pino';
import type { BrokerHeartbeat, Committed } from './controller-rpc.js';

/** Runs a controller operation on the active controller (ActiveController.run). */
export type RunOperation = <R>(operation: ControllerOperation<R>) => Promise<CommittedResult<R>>;

export interface BrokerSessionsOptions {
  readonly node: QuorumNode;
  readonly run: RunOperation;
  readonly sessionTimeoutMs: number;
  readonly election: () => ElectionOptions;
  readonly logger: Logger;
}

/**
 * The active controller's view of which brokers are alive. Heartbeats are kept in memory on
 * the leader only, so a new leader starts every broker's session afresh when it takes over —
 * except the broker on the node of the leader it replaced: that one is taken to have been
 * silent since this node last heard the old leader, so a combined node that dies with the
 * controller role is fenced about as soon as a continuous controller would have done it.
 */
export class BrokerSessions {
  readonly #options: BrokerSessionsOptions;
  readonly #lastHeard = new Map<number, number>();
  /** The leader this node last followed, and when it last fetched from it. */
  #lastLeader: { nodeId: number; contactMs: number } | null = null;
  /** From when brokers' sessions count on this leader, having no heartbeats of its own yet. */
  #leaderSinceMs: number | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: BrokerSessionsOptions) {
    this.#options = options;
  }

  start(checkIntervalMs: number): void {
    this.#timer = setInterval(() => this.#expire(), checkIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** A heartbeat reached us: note it, and unfence the broker if it was fenced. */
  async heartbeat(heartbeat: BrokerHeartbeat): Promise<Committed<{ errorCode: number; isFenced: boolean }>> {
    const registered = await this.#options.run((image) => {
      const broker = image.cluster.brokers.get(heartbeat.brokerId);
      const current = broker !== undefined && broker.incarnationId === heartbeat.incarnationId;
      return { records: [], response: current ? broker : null };
    });
    if (registered.response === null) {
      return { value: { errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, isFenced: true }, committedOffset: registered.committedOffset };
    }
    this.#lastHeard.set(heartbeat.brokerId, performance.now());
    if (heartbeat.wantShutDown === true) return this.#fenceForShutdown(heartbeat.brokerId, registered.response.fenced);
    if (!registered.response.fenced) return { value: { errorCode: 0, isFenced: false }, committedOffset: registered.committedOffset };
    const unfenced = await this.#options.run((image) => unfenceBroker(image, heartbeat.brokerId, this.#options.election()));
    this.#options.logger.info({ brokerId: heartbeat.brokerId }, 'broker unfenced: its heartbeats resumed');
    return { value: { errorCode: unfenced.response.errorCode, isFenced: unfenced.response.errorCode !== 0 }, committedOffset: unfenced.committedOffset };
  }

  /** Controlled shutdown: fencing moves the broker's leaderships to other ISR members now. */
  async #fenceForShutdown(brokerId: number, alreadyFenced: boolean): Promise<Committed<{ errorCode: number; isFenced: boolean }>> {
    if (alreadyFenced) return { value: { errorCode: 0, isFenced: true }, committedOffset: -1 };
    const fenced = await this.#options.run((image) => fenceBroker(image, brokerId, this.#options.election()));
    this.#options.logger.info({ brokerId }, 'broker fenced for a controlled shutdown');
    return { value: { errorCode: fenced.response.errorCode, isFenced: fenced.response.errorCode === 0 }, committedOffset: fenced.committedOffset };
  }

  #expire(): void {
    const core = this.#options.node.core;
    const now = performance.now();
    if (core.role !== 'leader') {
      const ticks = core.ticksSinceLeaderContact;
      if (ticks !== null && core.leaderId !== null) {
        this.#lastLeader = { nodeId: core.leaderId, contactMs: now - ticks * QuorumNode.tickMs };
      }
      this.#leaderSinceMs = null;
      this.#lastHeard.clear();
      return;
    }
    if (this.#leaderSinceMs === null) {
      this.#leaderSinceMs = now;
      const previous = this.#lastLeader;
      if (previous !== null && previous.nodeId !== core.nodeId) this.#lastHeard.set(previous.nodeId, previous.contactMs);
    }
    this.#options
      .run((image) => {
        const silent = [...image.cluster.brokers.values()].filter(
          (b) => !b.fenced && now - (this.#lastHeard.get(b.nodeId) ?? this.#leaderSinceMs!) > this.#options.sessionTimeoutMs,
        );
        return { records: [], response: silent.map((b) => b.nodeId) };
      })
      .then((silent) => this.#fence(silent.response))
      .catch((error: unknown) => this.#options.logger.debug({ err: error }, 'session check skipped'));
  }

  async #fence(brokerIds: readonly number[]): Promise<void> {
    for (const brokerId of brokerIds) {
      this.#options.logger.warn({ brokerId, sessionTimeoutMs: this.#options.sessionTimeoutMs }, 'fencing a broker whose heartbeats stopped');
      await this.#options.run((image) => fenceBroker(image, brokerId, this.#options.election()));
    }
  }
}
