/**
 * A producer: it sends acks=all (and some acks=1) writes of unique payloads to whichever
 * node the latest metadata it heard names as leader, a few in flight at once, and gives up
 * on a request after a timeout (its fate is then unknown, as for a real client). Only
 * successful acks=all answers matter to the checker.
 */
import { ErrorCode } from '@rill/protocol';
import type { SimContext } from './sim-context.js';
import type { SimMessage } from './sim-messages.js';

export interface AckObserver {
  /** An acks=all write was acknowledged at `offset`. */
  acked(payload: number, offset: number, client: number): void;
}

interface Pending {
  readonly payload: number;
  readonly acksAll: boolean;
  readonly sentAtMs: number;
}

export class SimClient {
  #leader = -1;
  #metadataVersion = -1;
  #requestSequence = 0;
  readonly #pending = new Map<number, Pending>();
  /** In the liveness phase (from this time): acks=all writes only, one at a time. */
  livenessFromMs: number | null = null;
  /** An acks=all write sent in the liveness phase was acknowledged. */
  livenessAcked = false;

  constructor(
    readonly id: number,
    readonly context: SimContext,
    readonly observer: AckObserver,
    readonly nextPayload: () => number,
  ) {}

  receive(message: SimMessage): void {
    if (message.kind === 'metadata') {
      if (message.version > this.#metadataVersion) {
        this.#metadataVersion = message.version;
        // A new leader: what was in flight to the old one has an unknown fate; stop waiting.
        if (message.partition.leader !== this.#leader) this.#pending.clear();
        this.#leader = message.partition.leader;
      }
      return;
    }
    if (message.kind !== 'produceAnswer') return;
    const pending = this.#pending.get(message.requestId);
    if (pending === undefined) return;
    this.#pending.delete(message.requestId);
    if (message.errorCode !== ErrorCode.NONE || !pending.acksAll) return;
    this.context.coverage.acked++;
    this.observer.acked(pending.payload, message.offset, this.id);
    if (this.livenessFromMs !== null && pending.sentAtMs >= this.livenessFromMs) this.livenessAcked = true;
  }

  tick(): void {
    const now = this.context.now();
    const config = this.context.config;
    for (const [requestId, pending] of this.#pending) {
      if (now - pending.sentAtMs > config.produceTimeoutMs * 2) this.#pending.delete(requestId);
    }
    if (this.#leader < 0 || this.#pending.size >= config.clientInFlightMax) return;
    if (this.livenessFromMs !== null) {
      if (this.#pending.size === 0) this.#send(this.nextPayload(), true);
      return;
    }
    if (this.context.random.next() >= config.produceProbability) return;
    this.#send(this.nextPayload(), this.context.random.next() < config.acksAllProbability);
  }

  #send(payload: number, acksAll: boolean): void {
    const requestId = ++this.#requestSequence;
    this.#pending.set(requestId, { payload, acksAll, sentAtMs: this.context.now() });
    this.context.send(this.id, this.#leader, { kind: 'produce', requestId, acksAll, payload });
  }
}
