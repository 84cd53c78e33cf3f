/**
 * The pieces one seeded run shares: a SeededRandom that drives everything, the clock, and
 * a network. Build the nodes with `scenario.network` as their transport, then `run`.
 */
import { SeededRandom } from '@rill/base';
import { SimClock } from './sim-clock.js';
import { SimNetwork } from './sim-network.js';
import type { SimNetworkOptions } from './sim-network.js';

export class Scenario<M> {
  readonly random: SeededRandom;
  readonly clock = new SimClock();
  readonly network: SimNetwork<M>;

  constructor(
    readonly seed: number,
    networkOptions: SimNetworkOptions,
    deliver: (from: number, to: number, message: M) => void,
  ) {
    this.random = new SeededRandom(seed);
    this.network = new SimNetwork(this.clock, this.random, networkOptions, deliver);
  }

  /** Run `event` every `period` units from `phase`, until it returns false. */
  every(period: number, phase: number, event: () => boolean | void): void {
    const loop = (): void => {
      if (event() === false) return;
      this.clock.schedule(period, loop);
    };
    this.clock.schedule(phase, loop);
  }

  /**
   * Run events up to time `until`, calling `afterEvent` after each one, stopping early when
   * `done` says so. Returns whether `done` was reached.
   */
  run(until: number, afterEvent: () => void, done: () => boolean = () => false): boolean {
    while (this.clock.step(until)) {
      afterEvent();
      if (done()) return true;
    }
    return done();
  }
}
