/**
 * A seeded, lossy network between numbered nodes (TigerBeetle's packet simulator, in our
 * own words). Per message: loss, duplication, and a random delay, so messages overtake one
 * another. Per link: cuts, which give symmetric and one-way partitions. Per node: clogs,
 * which hold traffic back without losing it (FoundationDB's swizzle-clog).
 */
import { assert } from '@rill/base';
import type { Random } from '@rill/base';
import type { SimClock } from './sim-clock.js';

export interface SimNetworkOptions {
  /** Probability that a message is lost. */
  readonly dropProbability: number;
  /** Probability that a message is delivered twice, each copy with its own delay. */
  readonly duplicateProbability: number;
  /** Delivery delay, uniform in [delayMin, delayMax] clock units; overlap reorders. */
  readonly delayMin: number;
  readonly delayMax: number;
  /** Messages held back by clogs; past this the oldest are lost, so memory stays bounded. */
  readonly heldMessagesMax: number;
}

export const reliableNetwork: SimNetworkOptions = {
  dropProbability: 0,
  duplicateProbability: 0,
  delayMin: 1,
  delayMax: 1,
  heldMessagesMax: 10_000,
};

export interface SimNetworkStats {
  sent: number;
  dropped: number;
  duplicated: number;
  delivered: number;
}

interface Held<M> {
  readonly from: number;
  readonly to: number;
  readonly message: M;
}

export class SimNetwork<M> {
  readonly stats: SimNetworkStats = { sent: 0, dropped: 0, duplicated: 0, delivered: 0 };
  readonly #cut = new Set<string>();
  readonly #clogged = new Set<number>();
  #held: Held<M>[] = [];
  #options: SimNetworkOptions;

  constructor(
    readonly clock: SimClock,
    readonly random: Random,
    options: SimNetworkOptions,
    readonly deliver: (from: number, to: number, message: M) => void,
  ) {
    this.#options = checkOptions(options);
  }

  get options(): SimNetworkOptions {
    return this.#options;
  }

  /** Change loss, duplication or delay mid-run (e.g. a calm liveness phase). */
  configure(options: SimNetworkOptions): void {
    this.#options = checkOptions(options);
  }

  send(from: number, to: number, message: M): void {
    this.stats.sent++;
    if (this.#cut.has(linkKey(from, to)) || this.random.next() < this.#options.dropProbability) {
      this.stats.dropped++;
      return;
    }
    this.#schedule(from, to, message);
    if (this.random.next() < this.#options.duplicateProbability) {
      this.stats.duplicated++;
      this.#schedule(from, to, message);
    }
  }

  /** Lose everything from `from` to `to` (one way) until restored. */
  cut(from: number, to: number): void {
    this.#cut.add(linkKey(from, to));
  }

  restore(from: number, to: number): void {
    this.#cut.delete(linkKey(from, to));
  }

  /** Cut every link from side A to side B, and back unless `oneWay`. */
  partition(sideA: readonly number[], sideB: readonly number[], oneWay = false): void {
    for (const a of sideA) {
      for (const b of sideB) {
        this.cut(a, b);
        if (!oneWay) this.cut(b, a);
      }
    }
  }

  isPartitioned(): boolean {
    return this.#cut.size > 0;
  }

  /** Hold back every message to or from `node` until unclogged; nothing is lost. */
  clog(node: number): void {
    this.#clogged.add(node);
  }

  unclog(node: number): void {
    this.#clogged.delete(node);
    const release = this.#held.filter((h) => !this.#isClogged(h.from, h.to));
    this.#held = this.#held.filter((h) => this.#isClogged(h.from, h.to));
    for (const h of release) this.#schedule(h.from, h.to, h.message);
  }

  /** Restore every link and release every clog. */
  heal(): void {
    this.#cut.clear();
    for (const node of [...this.#clogged]) this.unclog(node);
  }

  #isClogged(from: number, to: number): boolean {
    return this.#clogged.has(from) || this.#clogged.has(to);
  }

  #schedule(from: number, to: number, message: M): void {
    const delay = this.random.between(this.#options.delayMin, this.#options.delayMax);
    this.clock.schedule(delay, () => {
      // Faults apply at arrival too: a cut made while the message was in flight loses it.
      if (this.#cut.has(linkKey(from, to))) {
        this.stats.dropped++;
      } else if (this.#isClogged(from, to)) {
        this.#hold({ from, to, message });
      } else {
        this.stats.delivered++;
        this.deliver(from, to, message);
      }
    });
  }

  #hold(held: Held<M>): void {
    this.#held.push(held);
    if (this.#held.length > this.#options.heldMessagesMax) {
      this.#held.shift();
      this.stats.dropped++;
    }
  }
}

function linkKey(from: number, to: number): string {
  return `${from}>${to}`;
}

function checkOptions(options: SimNetworkOptions): SimNetworkOptions {
  const isProbability = (p: number): boolean => p >= 0 && p <= 1;
  assert(isProbability(options.dropProbability), 'dropProbability in [0, 1]');
  assert(isProbability(options.duplicateProbability), 'duplicateProbability in [0, 1]');
  assert(
    Number.isInteger(options.delayMin) && options.delayMin >= 0,
    'delayMin is an integer >= 0',
  );
  assert(
    Number.isInteger(options.delayMax) && options.delayMax >= options.delayMin,
    'delayMax >= delayMin',
  );
  assert(
    Number.isInteger(options.heldMessagesMax) && options.heldMessagesMax >= 0,
    'heldMessagesMax >= 0',
  );
  return options;
}
