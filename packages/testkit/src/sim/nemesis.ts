/**
 * Random faults over a simulated cluster, as option probabilities (like TigerBeetle's
 * PacketSimulatorOptions): partitions (symmetric and one-way), swizzle-clog, crashes and
 * restarts. The caller calls `step()` at its own pace (once per tick, say); every decision
 * comes from the one seeded Random.
 */
import { assert } from '@rill/base';
import type { Random } from '@rill/base';
import type { SimClock } from './sim-clock.js';
import type { SimNetwork } from './sim-network.js';

export interface NemesisOptions {
  /** Per step, with no partition in place: cut the cluster in two. */
  readonly partitionProbability: number;
  /** A new partition cuts only one direction. */
  readonly oneWayProbability: number;
  /** Per step, with a partition in place: heal every link. */
  readonly healProbability: number;
  /** Per step, with no swizzle running: start one. */
  readonly swizzleProbability: number;
  /** Clock units between two clogs (or unclogs) of a swizzle, uniform in [1, max]. */
  readonly swizzleStepMax: number;
  /** Per step: crash a random live node (if fewer than `downMax` are down). */
  readonly crashProbability: number;
  /** Per step: restart a random dead node. */
  readonly restartProbability: number;
  readonly downMax: number;
}

export const calmNemesis: NemesisOptions = {
  partitionProbability: 0,
  oneWayProbability: 0,
  healProbability: 1,
  swizzleProbability: 0,
  swizzleStepMax: 1,
  crashProbability: 0,
  restartProbability: 1,
  downMax: 0,
};

/** The network controls a nemesis uses; any SimNetwork fits, whatever its message type. */
export type NemesisNetwork = Pick<
  SimNetwork<never>,
  'isPartitioned' | 'partition' | 'heal' | 'clog' | 'unclog'
>;

export interface NemesisTarget {
  readonly ids: readonly number[];
  isUp(id: number): boolean;
  crash(id: number): void;
  restart(id: number): void;
}

export class Nemesis {
  /** Fault log for failure reports: what happened, at which time. */
  readonly history: string[] = [];
  #swizzle = 0;
  #swizzling = false;

  constructor(
    readonly clock: SimClock,
    readonly random: Random,
    readonly network: NemesisNetwork,
    readonly target: NemesisTarget,
    readonly options: NemesisOptions,
  ) {
    assert(options.downMax < target.ids.length, 'some node stays up');
  }

  step(): void {
    const { options, random } = this;
    if (this.network.isPartitioned()) {
      if (random.next() < options.healProbability) this.healNetwork();
    } else if (random.next() < options.partitionProbability) {
      this.#partition(random.next() < options.oneWayProbability);
    }
    if (!this.#swizzling && random.next() < options.swizzleProbability) this.#startSwizzle();
    const up = this.target.ids.filter((id) => this.target.isUp(id));
    const down = this.target.ids.filter((id) => !this.target.isUp(id));
    if (down.length < options.downMax && random.next() < options.crashProbability)
      this.#crash(this.#pick(up));
    if (down.length > 0 && random.next() < options.restartProbability)
      this.#restart(this.#pick(down));
  }

  /** Restore every link, release every clog and stop any swizzle in progress. */
  healNetwork(): void {
    this.#swizzle++;
    this.#swizzling = false;
    this.network.heal();
    this.#log('heal network');
  }

  /** Heal the network and restart every dead node: the start of a liveness phase. */
  healAll(): void {
    this.healNetwork();
    for (const id of this.target.ids) if (!this.target.isUp(id)) this.#restart(id);
  }

  #partition(oneWay: boolean): void {
    const ids = this.#shuffled(this.target.ids);
    const cut = this.random.between(1, ids.length - 1);
    const sideA = ids.slice(0, cut);
    const sideB = ids.slice(cut);
    this.network.partition(sideA, sideB, oneWay);
    this.#log(`partition ${sideA.join(',')} ${oneWay ? '->' : '|'} ${sideB.join(',')}`);
  }

  /** Clog a random subset one node at a time, then unclog them in another random order. */
  #startSwizzle(): void {
    const generation = ++this.#swizzle;
    this.#swizzling = true;
    const nodes = this.#shuffled(this.target.ids).slice(
      0,
      this.random.between(1, this.target.ids.length),
    );
    const unclogOrder = this.#shuffled(nodes);
    const steps = [
      ...nodes.map((id) => ['clog', id] as const),
      ...unclogOrder.map((id) => ['unclog', id] as const),
    ];
    let delay = 0;
    for (const [action, id] of steps) {
      delay += this.random.between(1, this.options.swizzleStepMax);
      this.clock.schedule(delay, () => {
        if (generation !== this.#swizzle) return;
        if (action === 'clog') this.network.clog(id);
        else this.network.unclog(id);
        this.#log(`swizzle ${action} ${id}`);
      });
    }
    this.clock.schedule(delay, () => {
      if (generation === this.#swizzle) this.#swizzling = false;
    });
  }

  #crash(id: number): void {
    this.target.crash(id);
    this.#log(`crash ${id}`);
  }

  #restart(id: number): void {
    this.target.restart(id);
    this.#log(`restart ${id}`);
  }

  #pick(ids: readonly number[]): number {
    return ids[this.random.between(0, ids.length - 1)]!;
  }

  #shuffled(ids: readonly number[]): number[] {
    const result = [...ids];
    for (let i = result.length - 1; i > 0; i--) {
      const j = this.random.between(0, i);
      [result[i], result[j]] = [result[j]!, result[i]!];
    }
    return result;
  }

  #log(what: string): void {
    this.history.push(`t=${this.clock.now} ${what}`);
  }
}
