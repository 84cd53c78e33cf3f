import { describe, expect, it } from 'vitest';
import { LeaderEpochCache, undefinedEpochEndOffset } from './leader-epoch-cache.js';

function cache(...entries: [number, number][]): LeaderEpochCache {
  return new LeaderEpochCache(entries.map(([epoch, startOffset]) => ({ epoch, startOffset })));
}

function pairs(c: LeaderEpochCache): [number, number][] {
  return c.entries.map((e) => [e.epoch, e.startOffset]);
}

describe('LeaderEpochCache.assign', () => {
  it('records only epochs newer than the latest', () => {
    const c = new LeaderEpochCache();
    expect(c.latestEpoch).toBe(-1);
    expect(c.assign(1, 0)).toBe(true);
    expect(c.assign(1, 1)).toBe(false);
    expect(c.assign(0, 5)).toBe(false);
    expect(c.assign(2, 3)).toBe(true);
    expect(pairs(c)).toEqual([
      [1, 0],
      [2, 3],
    ]);
    expect(c.latestEpoch).toBe(2);
  });

  it('drops entries that would break monotonic start offsets (an epoch that wrote nothing)', () => {
    const c = cache([0, 0], [3, 10]);
    expect(c.assign(5, 10)).toBe(true);
    expect(pairs(c)).toEqual([
      [0, 0],
      [5, 10],
    ]);
    expect(c.assign(6, 4)).toBe(true);
    expect(pairs(c)).toEqual([
      [0, 0],
      [6, 4],
    ]);
  });

  it('an appended record drops entries that start at or after it (epochs led without writing)', () => {
    // Led epoch 4 at log end 12 without writing, then follows a leader whose log has an
    // epoch-2 record at 12 (simulation seed 8104).
    const c = cache([0, 0], [2, 7], [4, 12]);
    expect(c.assign(2, 12)).toBe(true);
    expect(pairs(c)).toEqual([
      [0, 0],
      [2, 7],
    ]);
    expect(c.assign(6, 13)).toBe(true);
    expect(c.endOffsetFor(2, 15)).toEqual({ epoch: 2, endOffset: 13 });
    // The usual appends change nothing.
    expect(c.assign(6, 14)).toBe(false);
    expect(c.assign(2, 15)).toBe(false);
    // A new leader's own epoch entry at the log end is re-assigned by its first record: no change.
    expect(c.assign(9, 15)).toBe(true);
    expect(c.assign(9, 15)).toBe(false);
  });

  it('ignores negative, fractional and out-of-range values', () => {
    const c = new LeaderEpochCache();
    expect(c.assign(-1, 0)).toBe(false);
    expect(c.assign(1, -3)).toBe(false);
    expect(c.assign(1.5, 0)).toBe(false);
    expect(c.assign(2 ** 31, 0)).toBe(false);
    expect(c.assign(1, Number.NaN)).toBe(false);
    expect(c.entries).toEqual([]);
  });

  it('rebuilds from a checkpoint, dropping what assign would refuse', () => {
    const c = cache([1, 0], [1, 4], [3, 8], [2, 9], [4, 12]);
    expect(pairs(c)).toEqual([
      [1, 0],
      [3, 8],
      [4, 12],
    ]);
  });
});

// The cases of Kafka's LeaderEpochFileCacheTest for endOffsetFor, in our words.
describe('LeaderEpochCache.endOffsetFor', () => {
  it('the latest epoch ends at the log end offset', () => {
    expect(cache([2, 6], [3, 8], [4, 11]).endOffsetFor(4, 100)).toEqual({ epoch: 4, endOffset: 100 });
  });

  it('an undefined epoch, or an empty cache, gives the undefined answer', () => {
    expect(cache([2, 6]).endOffsetFor(-1, 10)).toEqual(undefinedEpochEndOffset);
    expect(new LeaderEpochCache().endOffsetFor(0, 10)).toEqual(undefinedEpochEndOffset);
    expect(new LeaderEpochCache().endOffsetFor(-1, 10)).toEqual(undefinedEpochEndOffset);
  });

  it('an epoch newer than the latest is undefined', () => {
    expect(cache([2, 5]).endOffsetFor(3, 10)).toEqual(undefinedEpochEndOffset);
  });

  it('an epoch older than every entry ends where the first entry starts', () => {
    expect(cache([5, 11], [6, 12]).endOffsetFor(4, 20)).toEqual({ epoch: 4, endOffset: 11 });
  });

  it('an older epoch ends where the next higher epoch starts', () => {
    const c = cache([1, 0], [2, 3]);
    expect(c.endOffsetFor(1, 10)).toEqual({ epoch: 1, endOffset: 3 });
  });

  it('an epoch that never wrote answers with the largest epoch below it', () => {
    const c = cache([0, 10], [2, 13], [4, 17]);
    expect(c.endOffsetFor(0, 30)).toEqual({ epoch: 0, endOffset: 13 });
    expect(c.endOffsetFor(1, 30)).toEqual({ epoch: 0, endOffset: 13 });
    expect(c.endOffsetFor(2, 30)).toEqual({ epoch: 2, endOffset: 17 });
    expect(c.endOffsetFor(3, 30)).toEqual({ epoch: 2, endOffset: 17 });
    expect(c.endOffsetFor(4, 30)).toEqual({ epoch: 4, endOffset: 30 });
  });
});

describe('LeaderEpochCache truncation', () => {
  it('truncateFromEnd drops the entries starting at or after the new end', () => {
    const c = cache([2, 6], [3, 8], [4, 11]);
    expect(c.truncateFromEnd(12)).toBe(false);
    expect(c.truncateFromEnd(11)).toBe(true);
    expect(pairs(c)).toEqual([
      [2, 6],
      [3, 8],
    ]);
    expect(c.truncateFromEnd(9)).toBe(false);
    expect(c.truncateFromEnd(8)).toBe(true);
    expect(pairs(c)).toEqual([[2, 6]]);
    expect(c.truncateFromEnd(0)).toBe(true);
    expect(c.entries).toEqual([]);
    expect(c.latestEpoch).toBe(-1);
  });

  it('truncateFromStart keeps the covering epoch, moved to the new start', () => {
    expect(cache([2, 6], [3, 8]).truncateFromStart(5)).toBe(false);
    const exact = cache([2, 6], [3, 8], [4, 11]);
    expect(exact.truncateFromStart(6)).toBe(false);
    expect(exact.truncateFromStart(8)).toBe(true);
    expect(pairs(exact)).toEqual([
      [3, 8],
      [4, 11],
    ]);
    const inside = cache([2, 6], [3, 8], [4, 11]);
    expect(inside.truncateFromStart(9)).toBe(true);
    expect(pairs(inside)).toEqual([
      [3, 9],
      [4, 11],
    ]);
    const beyond = cache([2, 6], [3, 8], [4, 11]);
    expect(beyond.truncateFromStart(15)).toBe(true);
    expect(pairs(beyond)).toEqual([[4, 15]]);
    expect(beyond.endOffsetFor(3, 20)).toEqual({ epoch: 3, endOffset: 15 });
  });
});
