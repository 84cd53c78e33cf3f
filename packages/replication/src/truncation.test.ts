import { SeededRandom } from '@rill/base';
import { describe, expect, it } from 'vitest';
import type { EpochEntry } from './leader-epoch-cache.js';
import { LeaderEpochCache, undefinedEpochEndOffset } from './leader-epoch-cache.js';
import { truncationRoundsMax } from './limits.js';
import { firstEpochToAsk, truncationStep } from './truncation.js';

/** A replica for these tests: the epoch of each record, and its epoch cache. */
interface Replica {
  epochs: number[];
  cache: LeaderEpochCache;
  highWatermark: number;
}

function replica(entries: [number, number][], logEndOffset: number, highWatermark = 0): Replica {
  const cache = new LeaderEpochCache(entries.map(([epoch, startOffset]) => ({ epoch, startOffset })));
  const epochs = Array.from({ length: logEndOffset }, (_, offset) => epochAt(cache.entries, offset));
  return { epochs, cache, highWatermark };
}

function epochAt(entries: readonly EpochEntry[], offset: number): number {
  let epoch = -1;
  for (const entry of entries) if (entry.startOffset <= offset) epoch = entry.epoch;
  return epoch;
}

/** As Kafka's UnifiedLog.truncateTo: nothing at all happens when there is nothing to cut. */
function truncate(r: Replica, to: number): void {
  if (to >= r.epochs.length) return;
  r.epochs.length = to;
  r.cache.truncateFromEnd(to);
  r.highWatermark = Math.min(r.highWatermark, to);
}

/** Run the whole exchange as a driver would; returns where the follower ends and how many rounds it took. */
function converge(follower: Replica, leader: Replica): { fetchFrom: number; rounds: number; asked: number[] } {
  const asked: number[] = [];
  let epoch = firstEpochToAsk(follower.cache);
  if (epoch === null) {
    truncate(follower, follower.highWatermark);
    return { fetchFrom: follower.epochs.length, rounds: 0, asked };
  }
  for (let rounds = 1; rounds <= truncationRoundsMax; rounds++) {
    asked.push(epoch);
    const leaderAnswer = leader.cache.endOffsetFor(epoch, leader.epochs.length);
    const step = truncationStep({
      cache: follower.cache,
      logEndOffset: follower.epochs.length,
      highWatermark: follower.highWatermark,
      leaderAnswer,
      askedEpoch: epoch,
    });
    truncate(follower, step.truncateTo);
    if (step.kind === 'done') return { fetchFrom: follower.epochs.length, rounds, asked };
    expect(step.epoch).toBeLessThan(epoch);
    epoch = step.epoch;
  }
  throw new Error('the search did not end');
}

/** Records with the same offset and epoch are the same record (one leader per epoch). */
function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

describe('truncationStep', () => {
  it('multi-round (KIP-279): follower [0@0,2@10], leader [0@0,1@8,3@12] meet at 8', () => {
    const follower = replica(
      [
        [0, 0],
        [2, 10],
      ],
      15,
    );
    const leader = replica(
      [
        [0, 0],
        [1, 8],
        [3, 12],
      ],
      20,
    );
    const truth = commonPrefix(follower.epochs, leader.epochs);
    expect(truth).toBe(8);
    // Round one by hand: the leader answers (1, 12), which the follower does not know.
    const first = truncationStep({
      cache: follower.cache,
      logEndOffset: 15,
      highWatermark: 0,
      leaderAnswer: leader.cache.endOffsetFor(2, 20),
    });
    expect(first).toEqual({ kind: 'askAgain', truncateTo: 10, epoch: 0 });
    const result = converge(follower, leader);
    expect(result).toEqual({ fetchFrom: 8, rounds: 2, asked: [2, 0] });
  });

  it('same latest epoch, follower ahead of what the leader got: cut to the leader end', () => {
    const follower = replica(
      [
        [0, 0],
        [1, 5],
      ],
      12,
    );
    const leader = replica(
      [
        [0, 0],
        [1, 5],
        [2, 10],
      ],
      14,
    );
    expect(converge(follower, leader)).toEqual({ fetchFrom: 10, rounds: 1, asked: [1] });
  });

  it('a follower behind the leader keeps its whole log', () => {
    const follower = replica([[0, 0]], 3);
    const leader = replica(
      [
        [0, 0],
        [1, 5],
      ],
      9,
    );
    expect(converge(follower, leader)).toEqual({ fetchFrom: 3, rounds: 1, asked: [0] });
  });

  it('an epoch the leader never saw (fast back-to-back failover) is cut where the leader moved on', () => {
    const follower = replica(
      [
        [0, 0],
        [1, 4],
      ],
      6,
    );
    const leader = replica(
      [
        [0, 0],
        [2, 4],
      ],
      8,
    );
    expect(converge(follower, leader)).toEqual({ fetchFrom: 4, rounds: 1, asked: [1] });
  });

  it('regression (simulation seed 8104): an epoch led without writing does not cut a committed record later', () => {
    // Replica 2 led epoch 4 at log end 12 without writing; the cache says 4@12.
    const follower = replica([[0, 0], [2, 7]], 12);
    follower.cache.assign(4, 12);
    // It then follows a leader of epoch 6 whose log has the epoch-2 record at 12 and two of epoch 6.
    const leader6 = replica([[0, 0], [2, 7], [6, 13]], 15);
    expect(converge(follower, leader6).fetchFrom).toBe(12);
    for (let offset = 12; offset < 15; offset++) {
      follower.cache.assign(leader6.epochs[offset]!, offset);
      follower.epochs.push(leader6.epochs[offset]!);
    }
    // Then a leader of epoch 7 whose log ends at 13 (it has the epoch-2 record at 12, not epoch 6).
    const leader7 = replica([[0, 0], [2, 7], [7, 13]], 13);
    const truth = commonPrefix(follower.epochs, leader7.epochs);
    expect(truth).toBe(13);
    expect(converge(follower, leader7).fetchFrom).toBe(13);
  });

  it('an undefined answer falls back to the high watermark', () => {
    const follower = replica([[3, 0]], 10, 6);
    const step = truncationStep({
      cache: follower.cache,
      logEndOffset: 10,
      highWatermark: 6,
      leaderAnswer: undefinedEpochEndOffset,
    });
    expect(step).toEqual({ kind: 'done', truncateTo: 6 });
  });

  it('an answer above the epoch asked, or a negative offset, counts as undefined', () => {
    const follower = replica([[3, 0]], 10, 4);
    const base = { cache: follower.cache, logEndOffset: 10, highWatermark: 4 };
    expect(truncationStep({ ...base, leaderAnswer: { epoch: 5, endOffset: 9 }, askedEpoch: 3 })).toEqual({
      kind: 'done',
      truncateTo: 4,
    });
    expect(truncationStep({ ...base, leaderAnswer: { epoch: 3, endOffset: -7 } })).toEqual({
      kind: 'done',
      truncateTo: 4,
    });
  });

  it('a follower with no epochs takes the leader end offset', () => {
    const step = truncationStep({
      cache: new LeaderEpochCache(),
      logEndOffset: 10,
      highWatermark: 2,
      leaderAnswer: { epoch: 3, endOffset: 7 },
    });
    expect(step).toEqual({ kind: 'done', truncateTo: 7 });
  });

  it('firstEpochToAsk is the latest epoch, or null for an empty cache', () => {
    expect(firstEpochToAsk(new LeaderEpochCache())).toBeNull();
    expect(firstEpochToAsk(replica([[0, 0], [4, 3]], 5).cache)).toBe(4);
  });
});

/**
 * Random histories: leaders of successive epochs, each elected from some replica, append
 * records; the others follow it partway (truncating with the same search) or not at all.
 * At every sync the search must stop exactly at the longest common prefix.
 */
describe('truncationStep on random histories', () => {
  it('always stops at the true divergence point (1,000 seeds)', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const random = new SeededRandom(seed);
      const replicas: Replica[] = Array.from({ length: 3 }, () => replica([], 0));
      for (let epoch = 0; epoch < 12; epoch++) {
        const leader = replicas[random.between(0, 2)]!;
        leader.cache.assign(epoch, leader.epochs.length);
        const appended = random.between(0, 4);
        for (let i = 0; i < appended; i++) leader.epochs.push(epoch);
        for (const follower of replicas) {
          if (follower === leader || random.next() < 0.4) continue;
          const truth = commonPrefix(follower.epochs, leader.epochs);
          const { fetchFrom } = converge(follower, leader);
          expect(fetchFrom, `seed ${seed} epoch ${epoch}`).toBe(truth);
          const copy = random.between(0, leader.epochs.length - fetchFrom);
          for (let offset = fetchFrom; offset < fetchFrom + copy; offset++) {
            follower.cache.assign(leader.epochs[offset]!, offset);
            follower.epochs.push(leader.epochs[offset]!);
          }
        }
      }
    }
  });
});
