import { ErrorCode } from '@rill/protocol';
import type { Logger } from 'pino';
import type { QuorumMetadataStore } from '../metadata/quorum-metadata-store.js';
import type { BrokerRegistrationRequest } from './controller-rpc.js';

/**
 * A broker's membership: it registers with the active controller, waits until it has
 * replayed its own registration (so its metadata includes everything committed before it),
 * then heartbeats every broker.heartbeat.interval.ms. Its first heartbeat unfences it; if a
 * controller no longer knows it (say, after a long pause) it registers again.
 */
export class BrokerMembership {
  readonly #store: QuorumMetadataStore;
  readonly #registration: BrokerRegistrationRequest;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | null = null;
  #intervalMs = 0;
  #beating = false;

  constructor(store: QuorumMetadataStore, registration: BrokerRegistrationRequest, logger: Logger) {
    this.#store = store;
    this.#registration = registration;
    this.#logger = logger;
  }

  /** Registers and returns once this broker is unfenced. */
  async join(heartbeatIntervalMs: number): Promise<void> {
    this.#intervalMs = heartbeatIntervalMs;
    await this.#register();
    while ((await this.#beat()) !== false) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(heartbeatIntervalMs, 200)));
    }
    this.#timer = setInterval(() => void this.#beatInBackground(), heartbeatIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /**
   * Controlled shutdown: asks the controller to fence this broker, which moves its
   * leaderships to other ISR members, and returns once this node has replayed that (or the
   * deadline passed, when no controller answers: then the session timeout does it).
   */
  async leave(deadlineMs: number): Promise<boolean> {
    this.stop();
    const { brokerId, incarnationId } = this.#registration;
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      const answer = await this.#store.brokerHeartbeat({ brokerId, incarnationId, wantShutDown: true }, deadline - Date.now());
      if (answer?.isFenced === true) return true;
    }
    return false;
  }

  async #register(): Promise<void> {
    while (!(await this.#store.registerBroker(this.#registration))) {
      this.#logger.info('waiting for an active controller to register with');
    }
  }

  /** One heartbeat: whether we are fenced, or null when no controller answered. */
  async #beat(): Promise<boolean | null> {
    const { brokerId, incarnationId } = this.#registration;
    const answer = await this.#store.brokerHeartbeat({ brokerId, incarnationId }, this.#intervalMs);
    if (answer === null) return null;
    if (answer.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED) {
      this.#logger.warn('the controller does not know this broker; registering again');
      await this.#register();
      return true;
    }
    return answer.isFenced;
  }

  async #beatInBackground(): Promise<void> {
    if (this.#beating) return;
    this.#beating = true;
    try {
      if ((await this.#beat()) === true) this.#logger.warn('this broker is fenced by the controller');
    } finally {
      this.#beating = false;
    }
  }
}
