import { electPreferredLeaders, type PreferredLeaderMove, type RaftCore } from '@rill/controller-quorum';
import type { Logger } from 'pino';
import type { RunOperation } from './broker-sessions.js';

export interface LeaderRebalanceOptions {
  /** This node's quorum core: only the active controller rebalances. */
  readonly core: () => RaftCore;
  readonly run: RunOperation;
  /** leader.imbalance.per.broker.percentage */
  readonly imbalancePerBrokerPercentage: number;
  readonly logger: Logger;
}

/**
 * auto.leader.rebalance.enable: every leader.imbalance.check.interval.seconds the active
 * controller hands leaderships back to preferred replicas that are live and in sync again
 * (electPreferredLeaders), through the same operation queue as every other change. Other
 * nodes' timers fire too and do nothing.
 */
export class LeaderRebalance {
  readonly #options: LeaderRebalanceOptions;
  #timer: NodeJS.Timeout | null = null;
  #checking = false;

  constructor(options: LeaderRebalanceOptions) {
    this.#options = options;
  }

  start(checkIntervalMs: number): void {
    this.#timer = setInterval(() => void this.check(), checkIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** One check; the leaderships it moved (none when this node is not the active controller). */
  async check(): Promise<PreferredLeaderMove[]> {
    if (this.#checking || this.#options.core().role !== 'leader') return [];
    this.#checking = true;
    try {
      const options = { imbalancePerBrokerPercentage: this.#options.imbalancePerBrokerPercentage };
      const result = await this.#options.run((image) => electPreferredLeaders(image, options));
      for (const move of result.response) {
        this.#options.logger.info({ ...move }, 'leadership moved back to the preferred replica');
      }
      return result.response;
    } catch (error) {
      this.#options.logger.debug({ err: error }, 'preferred leader check skipped');
      return [];
    } finally {
      this.#checking = false;
    }
  }
}
