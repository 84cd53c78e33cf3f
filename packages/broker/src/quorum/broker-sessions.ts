import { ActiveController, ControllerErrorCode, fenceBroker, unfenceBroker, type ElectionOptions, type QuorumNode } from '@rill/controller-quorum';
import type { Logger } from 'pino';
import type { BrokerHeartbeat, Committed } from './controller-rpc.js';

export interface BrokerSessionsOptions {
  readonly node: QuorumNode;
  readonly active: ActiveController;
  readonly sessionTimeoutMs: number;
  readonly election: () => ElectionOptions;
  readonly logger: Logger;
}

/**
 * The active controller's view of which brokers are alive. Heartbeats are kept in memory on
 * the leader only; a new leader gives every registered broker a full session from the
 * moment it took over, so a controller failover never fences a healthy broker.
 */
export class BrokerSessions {
  readonly #options: BrokerSessionsOptions;
  readonly #lastHeard = new Map<number, number>();
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
    const registered = await this.#options.active.run((image) => {
      const broker = image.cluster.brokers.get(heartbeat.brokerId);
      const current = broker !== undefined && broker.incarnationId === heartbeat.incarnationId;
      return { records: [], response: current ? broker : null };
    });
    if (registered.response === null) {
      return { value: { errorCode: ControllerErrorCode.BROKER_ID_NOT_REGISTERED, isFenced: true }, committedOffset: registered.committedOffset };
    }
    this.#lastHeard.set(heartbeat.brokerId, performance.now());
    if (!registered.response.fenced) return { value: { errorCode: 0, isFenced: false }, committedOffset: registered.committedOffset };
    const unfenced = await this.#options.active.run((image) => unfenceBroker(image, heartbeat.brokerId, this.#options.election()));
    this.#options.logger.info({ brokerId: heartbeat.brokerId }, 'broker unfenced: its heartbeats resumed');
    return { value: { errorCode: unfenced.response.errorCode, isFenced: unfenced.response.errorCode !== 0 }, committedOffset: unfenced.committedOffset };
  }

  #expire(): void {
    const core = this.#options.node.core;
    if (core.role !== 'leader') {
      this.#leaderSinceMs = null;
      this.#lastHeard.clear();
      return;
    }
    const now = performance.now();
    this.#leaderSinceMs ??= now;
    this.#options.active
      .run((image) => {
        const silent = [...image.cluster.brokers.values()].filter(
          (b) => !b.fenced && now - Math.max(this.#lastHeard.get(b.nodeId) ?? 0, this.#leaderSinceMs!) > this.#options.sessionTimeoutMs,
        );
        return { records: [], response: silent.map((b) => b.nodeId) };
      })
      .then((silent) => this.#fence(silent.response))
      .catch((error: unknown) => this.#options.logger.debug({ err: error }, 'session check skipped'));
  }

  async #fence(brokerIds: readonly number[]): Promise<void> {
    for (const brokerId of brokerIds) {
      this.#options.logger.warn({ brokerId, sessionTimeoutMs: this.#options.sessionTimeoutMs }, 'fencing a broker whose heartbeats stopped');
      await this.#options.active.run((image) => fenceBroker(image, brokerId, this.#options.election()));
    }
  }
}
