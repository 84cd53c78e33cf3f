/**
 * A broker's lease on its registration with the controller, as the broker driver keeps it.
 * The controller fences a broker whose heartbeats stop for broker.session.timeout.ms,
 * measured from when it *received* the last one; the broker measures the same timeout from
 * when it *sent* the last heartbeat the controller answered (unfenced). A heartbeat is
 * received after it is sent, so the lease always runs out no later than the controller can
 * fence the broker and elect another leader: a leader that lost its lease (paused, cut off
 * from the controller) stops acknowledging acks=all writes before a successor can exist.
 *
 * Both sides measure durations on their own monotonic clocks; no wall clock is compared.
 */
import { assert } from '@rill/base';
import { durationMsMax } from './limits.js';

export class BrokerLease {
  readonly #sessionTimeoutMs: number;
  #expiresAtMs = Number.NEGATIVE_INFINITY;

  constructor(sessionTimeoutMs: number) {
    assert(
      Number.isSafeInteger(sessionTimeoutMs) && sessionTimeoutMs > 0 && sessionTimeoutMs <= durationMsMax,
      `sessionTimeoutMs ${sessionTimeoutMs} out of range`,
    );
    this.#sessionTimeoutMs = sessionTimeoutMs;
  }

  /** When the lease runs out (-Infinity: never held). */
  get expiresAtMs(): number {
    return this.#expiresAtMs;
  }

  /**
   * The controller answered a heartbeat sent at `sentAtMs` and did not fence us: the lease
   * runs until sentAtMs + sessionTimeoutMs (it never moves back for a late, older answer).
   */
  heartbeatAnswered(sentAtMs: number): void {
    this.#expiresAtMs = Math.max(this.#expiresAtMs, sentAtMs + this.#sessionTimeoutMs);
  }

  /** The controller says we are fenced: the lease is gone until a later heartbeat is answered. */
  revoke(): void {
    this.#expiresAtMs = Number.NEGATIVE_INFINITY;
  }

  isValid(nowMs: number): boolean {
    return nowMs < this.#expiresAtMs;
  }
}
