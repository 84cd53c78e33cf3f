import { ErrorCode } from '@rill/protocol';
import { BrokerLease } from '@rill/replication';
import type { Logger } from 'pino';
import type { QuorumMetadataStore } from '../metadata/quorum-metadata-store.js';
import type { BrokerRegistrationRequest } from './controller-rpc.js';

/**
 * A broker's membership: it registers with the active controller, waits until it has
 * replayed its own registration (so its metadata includes everything committed before it),
 * then heartbeats every broker.heartbeat.interval.ms. Its first heartbeat unfences it; if a
 * controller no longer knows it (say, after a long pause) it registers again.
 *
 * It also keeps the broker's lease: a heartbeat the controller answered "not fenced" proves
 * the broker cannot be fenced before broker.session.timeout.ms after that heartbeat was
 * *sent* (the controller counts from its arrival, later). Past that, this broker may have
 * been fenced and replaced without knowing it, so it must not acknowledge writes (I11).
 */
export class BrokerMembership {
  readonly #store: QuorumMetadataStore;
  readonly #registration: BrokerRegistrationRequest;
  readonly #logger: Logger;
  readonly #lease: BrokerLease;
  #timer: NodeJS.Timeout | null = null;
  #intervalMs = 0;
  #beating = false;

  constructor(store: QuorumMetadataStore, registration: BrokerRegistrationRequest, options: { sessionTimeoutMs: number; logger: Logger }) {
    this.#store = store;
    this.#registration = registration;
    this.#lease = new BrokerLease(options.sessionTimeoutMs);
    this.#logger = options.logger;
  }

  /** Whether the controller surely still counts this broker as live (see the class comment). */
  holdsLease(): boolean {
    return this.#lease.isValid(performance.now());
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
    this.#lease.revoke();
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
    const sentMs = performance.now();
    const answer = await this.#store.brokerHeartbeat({ brokerId, incarnationId }, this.#intervalMs);
    if (answer === null) return null;
    if (answer.errorCode === ErrorCode.NONE && !answer.isFenced) this.#lease.heartbeatAnswered(sentMs);
    else this.#lease.revoke();
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
