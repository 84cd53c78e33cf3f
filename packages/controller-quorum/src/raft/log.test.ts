import { describe, expect, it } from 'vitest';
import { RaftLog } from './log.js';
import type { Entry } from './types.js';

function entries(epochs: number[], start = 0): Entry[] {
  return epochs.map((epoch, i) => ({
    offset: start + i,
    epoch,
    payload: Buffer.from(`${start + i}`),
  }));
}

describe('RaftLog', () => {
  it('finds where each epoch ends (the leader side of divergingEpoch)', () => {
    const log = new RaftLog(null, entries([1, 1, 3, 3, 3, 6]));
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 0 });
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 2 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 1, endOffset: 2 });
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 3, endOffset: 5 });
    expect(log.endOffsetForEpoch(9)).toEqual({ epoch: 6, endOffset: 6 });
  });

  it('knows only the last epoch of a snapshot and nothing older', () => {
    const snapshot = { lastOffset: 3, lastEpoch: 2, data: Buffer.from('s') };
    const log = new RaftLog(snapshot, entries([0, 0, 2, 2, 4], 0));
    expect(log.startOffset).toBe(4);
    expect(log.endOffset).toBe(5);
    expect(log.epochAt(3)).toBe(2);
    expect(log.epochAt(2)).toBeNull();
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 2, endOffset: 4 });
    expect(log.endOffsetForEpoch(1)).toBeNull();
  });

  it('keeps entries above a snapshot it agrees with, and replaces a log it does not', () => {
    const log = new RaftLog(null, entries([1, 1, 2, 2]));
    expect(log.installSnapshot({ lastOffset: 1, lastEpoch: 1, data: Buffer.alloc(0) })).toBeNull();
    expect([log.startOffset, log.endOffset]).toEqual([2, 4]);
    expect(log.installSnapshot({ lastOffset: 2, lastEpoch: 5, data: Buffer.alloc(0) })).toBe(3);
    expect([log.startOffset, log.endOffset, log.lastEpoch]).toEqual([3, 3, 5]);
  });

  it('reads within entry and byte limits, always at least one entry', () => {
    const log = new RaftLog(null, entries([1, 1, 1, 1]));
    expect(log.read(1, 2, 1000).map((e) => e.offset)).toEqual([1, 2]);
    expect(log.read(0, 10, 1).map((e) => e.offset)).toEqual([0]);
    expect(log.read(4, 10, 10)).toEqual([]);
  });
});
