import { SeededRandom } from '@rill/base';
import { describe, expect, it } from 'vitest';
import { InvariantChecker, InvariantViolation } from './invariants.js';
import { Nemesis } from './nemesis.js';
import { PriorityQueue } from './priority-queue.js';
import { Scenario } from './scenario.js';
import { runSeed, seedsFromEnv } from './seeds.js';
import { SimClock } from './sim-clock.js';
import { SimNetwork, reliableNetwork } from './sim-network.js';
import { SimNodes } from './sim-nodes.js';

describe('PriorityQueue', () => {
  it('pops by time, then by scheduling order', () => {
    const queue = new PriorityQueue<string>();
    const random = new SeededRandom(7);
    const items = Array.from({ length: 200 }, (_, sequence) => ({
      time: random.between(0, 20),
      sequence,
      value: `v${sequence}`,
    }));
    for (const item of items) queue.push(item);
    const popped = Array.from({ length: items.length }, () => queue.pop()!);
    const sorted = [...items].sort((a, b) => a.time - b.time || a.sequence - b.sequence);
    expect(popped).toEqual(sorted);
    expect(queue.pop()).toBeUndefined();
  });
});

describe('SimClock', () => {
  it('moves time only to the next event and never backwards', () => {
    const clock = new SimClock();
    const seen: string[] = [];
    clock.schedule(5, () => seen.push(`a@${clock.now}`));
    clock.schedule(1, () => clock.schedule(0, () => seen.push(`c@${clock.now}`)));
    clock.schedule(1, () => seen.push(`b@${clock.now}`));
    while (clock.step());
    expect(seen).toEqual(['b@1', 'c@1', 'a@5']);
    expect(clock.eventsRun).toBe(4);
  });

  it('stops at the horizon', () => {
    const clock = new SimClock();
    clock.schedule(10, () => {});
    expect(clock.step(9)).toBe(false);
    expect(clock.now).toBe(0);
  });
});

function network(
  options = reliableNetwork,
  seed = 1,
): { clock: SimClock; net: SimNetwork<string>; got: string[] } {
  const clock = new SimClock();
  const got: string[] = [];
  const net = new SimNetwork<string>(clock, new SeededRandom(seed), options, (from, to, m) =>
    got.push(`${from}>${to}:${m}`),
  );
  return { clock, net, got };
}

describe('SimNetwork', () => {
  it('drops, duplicates and reorders by its probabilities', () => {
    const { clock, net, got } = network({
      dropProbability: 0.2,
      duplicateProbability: 0.1,
      delayMin: 1,
      delayMax: 50,
      heldMessagesMax: 100,
    });
    for (let i = 0; i < 1000; i++) net.send(1, 2, String(i));
    while (clock.step());
    expect(net.stats.dropped).toBeGreaterThan(150);
    expect(net.stats.dropped).toBeLessThan(250);
    expect(net.stats.duplicated).toBeGreaterThan(50);
    expect(got.length).toBe(1000 - net.stats.dropped + net.stats.duplicated);
    const order = got.map((g) => Number(g.split(':')[1]));
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });

  it('cuts one way or both ways, also for messages already in flight', () => {
    const { clock, net, got } = network();
    net.send(1, 2, 'in-flight');
    net.partition([1], [2], true);
    net.send(1, 2, 'cut');
    net.send(2, 1, 'back');
    while (clock.step());
    expect(got).toEqual(['2>1:back']);
    net.heal();
    net.partition([1], [2]);
    net.send(2, 1, 'both ways');
    while (clock.step());
    expect(got).toEqual(['2>1:back']);
  });

  it('holds messages of a clogged node and releases them on unclog', () => {
    const { clock, net, got } = network();
    net.clog(2);
    net.send(1, 2, 'held');
    while (clock.step());
    expect(got).toEqual([]);
    net.unclog(2);
    while (clock.step());
    expect(got).toEqual(['1>2:held']);
  });
});

describe('SimNodes', () => {
  it('crashes and restarts nodes, and guards callbacks of a dead incarnation', () => {
    const nodes = new SimNodes([1, 2], (id, incarnation) => ({ id, incarnation }));
    const calls: number[] = [];
    const guarded = nodes.guard(1, (node) => calls.push(node.incarnation));
    guarded();
    nodes.crash(1);
    expect(nodes.isUp(1)).toBe(false);
    guarded();
    expect(nodes.restart(1).incarnation).toBe(1);
    guarded();
    expect(calls).toEqual([0]);
    expect(nodes.upIds()).toEqual([1, 2]);
  });
});

describe('Nemesis', () => {
  it('draws partitions, swizzles, crashes and restarts from the seed, and heals all', () => {
    const scenario = new Scenario<string>(3, reliableNetwork, () => {});
    const nodes = new SimNodes([1, 2, 3], (id) => ({ id }));
    const target = {
      ids: nodes.ids,
      isUp: (id: number) => nodes.isUp(id),
      crash: (id: number) => nodes.crash(id),
      restart: (id: number) => void nodes.restart(id),
    };
    const options = {
      partitionProbability: 0.2,
      oneWayProbability: 0.5,
      healProbability: 0.2,
      swizzleProbability: 0.1,
      swizzleStepMax: 5,
      crashProbability: 0.2,
      restartProbability: 0.2,
      downMax: 1,
    };
    const nemesis = new Nemesis(scenario.clock, scenario.random, scenario.network, target, options);
    scenario.every(1, 0, () => nemesis.step());
    scenario.run(500, () => expect(nodes.downIds().length).toBeLessThanOrEqual(1));
    const kinds = new Set(nemesis.history.map((line) => line.split(' ')[1]));
    for (const kind of ['partition', 'heal', 'swizzle', 'crash', 'restart'])
      expect(kinds).toContain(kind);
    nemesis.healAll();
    expect(nodes.downIds()).toEqual([]);
    expect(scenario.network.isPartitioned()).toBe(false);
  });
});

describe('seeds and invariants', () => {
  it('reads RILL_SEED and RILL_SEEDS', () => {
    expect(seedsFromEnv({ first: 10, count: 3 }, {})).toEqual([10, 11, 12]);
    expect(seedsFromEnv({ first: 10, count: 3 }, { RILL_SEEDS: '5' })).toEqual([
      10, 11, 12, 13, 14,
    ]);
    expect(seedsFromEnv({ first: 10, count: 3 }, { RILL_SEED: '42' })).toEqual([42]);
    expect(() => seedsFromEnv({ first: 0, count: 1 }, { RILL_SEED: 'x' })).toThrow(/RILL_SEED/);
  });

  it('reports a failing seed with the command that replays it', () => {
    const checker = new InvariantChecker<number>([
      { name: 'small', check: (n) => (n < 3 ? null : `${n} is not small`) },
    ]);
    const run = (): void =>
      runSeed(
        17,
        'some.test.ts',
        () => [1, 2, 3].forEach((n) => checker.check(n)),
        () => 'context',
      );
    expect(run).toThrow(
      /^SEED=17: invariant "small" violated: 3 is not small\nreplay: RILL_SEED=17 npx vitest run some.test.ts\ncontext/,
    );
    expect(checker.checks).toBe(3);
    expect(new InvariantViolation('x', 'y').invariant).toBe('x');
  });
});
