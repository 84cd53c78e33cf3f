import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@rill/base';
import type { GroupAssignment, MemberSubscription } from './assignor.js';
import {
  assignorsNamed,
  cooperativeStickyAssignor,
  generationFromUserData,
  rangeAssignor,
  rebalanceProtocolOf,
  roundRobinAssignor,
} from './index.js';

function member(
  memberId: string,
  topics: string[],
  owned: Record<string, number[]> = {},
  generation = -1,
): MemberSubscription {
  return {
    memberId,
    topics,
    ownedPartitions: Object.entries(owned).map(([topic, partitions]) => ({ topic, partitions })),
    generation,
  };
}

function flat(assignment: GroupAssignment): Record<string, string[]> {
  return Object.fromEntries(
    [...assignment].map(([id, tps]) => [
      id,
      tps.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`)),
    ]),
  );
}

describe('range assignor (Java RangeAssignor)', () => {
  it('gives each member a contiguous range per topic, extras to the first members', () => {
    const result = rangeAssignor.assign({
      members: [member('c2', ['t0', 't1']), member('c1', ['t0', 't1'])],
      partitionsPerTopic: new Map([
        ['t0', 3],
        ['t1', 3],
      ]),
    });
    // Kafka's RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions.
    expect(flat(result)).toEqual({ c1: ['t0-0', 't0-1', 't1-0', 't1-1'], c2: ['t0-2', 't1-2'] });
  });

  it('only assigns a topic to its subscribers', () => {
    const result = rangeAssignor.assign({
      members: [member('a', ['t0']), member('b', ['t0', 't1'])],
      partitionsPerTopic: new Map([
        ['t0', 2],
        ['t1', 2],
      ]),
    });
    expect(flat(result)).toEqual({ a: ['t0-0'], b: ['t0-1', 't1-0', 't1-1'] });
  });
});

describe('round-robin assignor (Java RoundRobinAssignor)', () => {
  it('deals all partitions in topic order to members in id order', () => {
    const result = roundRobinAssignor.assign({
      members: [member('c1', ['t0', 't1']), member('c0', ['t0', 't1'])],
      partitionsPerTopic: new Map([
        ['t0', 3],
        ['t1', 3],
      ]),
    });
    expect(flat(result)).toEqual({ c0: ['t0-0', 't0-2', 't1-1'], c1: ['t0-1', 't1-0', 't1-2'] });
  });

  it('skips members that do not subscribe to a topic', () => {
    const result = roundRobinAssignor.assign({
      members: [member('a', ['t0']), member('b', ['t0', 't1']), member('c', ['t1'])],
      partitionsPerTopic: new Map([
        ['t0', 2],
        ['t1', 2],
      ]),
    });
    expect(flat(result)).toEqual({ a: ['t0-0'], b: ['t0-1', 't1-1'], c: ['t1-0'] });
  });
});

describe('cooperative-sticky assignor', () => {
  it('balances a fresh group', () => {
    const result = cooperativeStickyAssignor.assign({
      members: [member('a', ['t']), member('b', ['t']), member('c', ['t'])],
      partitionsPerTopic: new Map([['t', 7]]),
    });
    const sizes = [...result.values()]
      .map((tps) => tps.reduce((n, tp) => n + tp.partitions.length, 0))
      .sort();
    expect(sizes).toEqual([2, 2, 3]);
  });

  it('keeps owners in place and only moves what a newcomer needs, in two rounds', () => {
    const partitionsPerTopic = new Map([['t', 6]]);
    // Round 1: c joins a group where a and b own 3 each.
    const first = flat(
      cooperativeStickyAssignor.assign({
        members: [
          member('a', ['t'], { t: [0, 1, 2] }, 1),
          member('b', ['t'], { t: [3, 4, 5] }, 1),
          member('c', ['t'], {}, -1),
        ],
        partitionsPerTopic,
      }),
    );
    expect(first['a']!.length).toBe(2);
    expect(first['b']!.length).toBe(2);
    expect(first['c']).toEqual([]); // nothing moves until a and b revoke
    expect(first['a']!.every((p) => ['t-0', 't-1', 't-2'].includes(p))).toBe(true);
    // Round 2: a and b now own only what they kept; the freed two go to c.
    const owned = (list: string[]) => ({ t: list.map((p) => Number(p.slice(2))) });
    const second = flat(
      cooperativeStickyAssignor.assign({
        members: [
          member('a', ['t'], owned(first['a']!), 2),
          member('b', ['t'], owned(first['b']!), 2),
          member('c', ['t'], {}, 2),
        ],
        partitionsPerTopic,
      }),
    );
    expect(second['a']).toEqual(first['a']);
    expect(second['b']).toEqual(first['b']);
    expect(second['c']!.length).toBe(2);
  });

  it('never assigns a partition twice or to a non-subscriber (seeded random groups)', () => {
    const random = new SeededRandom(11);
    for (let round = 0; round < 200; round++) {
      const topics = ['x', 'y', 'z'].slice(0, random.between(1, 3));
      const counts = new Map(topics.map((t) => [t, random.between(0, 9)]));
      const members = Array.from({ length: random.between(1, 6) }, (_, i) => {
        const subscribed = topics.filter(() => random.next() < 0.8);
        const owned: Record<string, number[]> = {};
        for (const t of subscribed)
          owned[t] = Array.from({ length: random.between(0, 4) }, () => random.between(0, 10));
        return member(
          `m${i}`,
          subscribed.length > 0 ? subscribed : [topics[0]!],
          owned,
          random.between(-1, 3),
        );
      });
      const result = cooperativeStickyAssignor.assign({ members, partitionsPerTopic: counts });
      const seen = new Set<string>();
      for (const [memberId, tps] of result) {
        const subscription = members.find((m) => m.memberId === memberId)!;
        for (const tp of tps) {
          expect(subscription.topics).toContain(tp.topic);
          for (const p of tp.partitions) {
            expect(p).toBeLessThan(counts.get(tp.topic)!);
            expect(seen.has(`${tp.topic}-${p}`)).toBe(false);
            seen.add(`${tp.topic}-${p}`);
          }
        }
      }
    }
  });

  it('carries the generation in userData as Java does', () => {
    expect(generationFromUserData(cooperativeStickyAssignor.subscriptionUserData(42))).toBe(42);
    expect(generationFromUserData(null)).toBe(-1);
  });
});

describe('assignor lists', () => {
  it('is cooperative only when every offered assignor is', () => {
    expect(rebalanceProtocolOf(assignorsNamed(['range', 'cooperative-sticky']))).toBe('eager');
    expect(rebalanceProtocolOf(assignorsNamed(['cooperative-sticky']))).toBe('cooperative');
  });
});
