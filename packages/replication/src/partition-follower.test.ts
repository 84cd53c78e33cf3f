import { describe, expect, it } from 'vitest';
import { PartitionFollower } from './partition-follower.js';

describe('PartitionFollower', () => {
  it('starts truncating, then fetches from where truncation left the log', () => {
    const f = new PartitionFollower({ leaderId: 2, leaderEpoch: 4, logEndOffset: 20, highWatermark: 12 });
    expect(f.state).toBe('truncating');
    expect(f.leaderId).toBe(2);
    expect(f.leaderEpoch).toBe(4);
    f.truncated(15);
    expect(f.state).toBe('fetching');
    expect(f.fetchOffset).toBe(15);
    expect(f.highWatermark).toBe(12);
  });

  it('truncation below the HW lowers it', () => {
    const f = new PartitionFollower({ leaderId: 2, leaderEpoch: 4, logEndOffset: 20, highWatermark: 12 });
    f.truncated(9);
    expect(f.highWatermark).toBe(9);
  });

  it('the HW is min(leader HW, log end) and never goes back on a fetch', () => {
    const f = new PartitionFollower({ leaderId: 2, leaderEpoch: 4, logEndOffset: 10, highWatermark: 5 });
    f.truncated(10);
    expect(f.fetched(14, 30)).toBe(true);
    expect(f.highWatermark).toBe(14);
    expect(f.fetchOffset).toBe(14);
    expect(f.fetched(20, 17)).toBe(true);
    expect(f.highWatermark).toBe(17);
    expect(f.fetched(20, 3)).toBe(false);
    expect(f.highWatermark).toBe(17);
    expect(f.fetched(20, 17)).toBe(false);
  });

  it('a HW above the log end at construction is capped', () => {
    const f = new PartitionFollower({ leaderId: 2, leaderEpoch: 4, logEndOffset: 3, highWatermark: 8 });
    expect(f.highWatermark).toBe(3);
  });

  it('goes back to truncating when the leader says the log does not fit', () => {
    const f = new PartitionFollower({ leaderId: 2, leaderEpoch: 4, logEndOffset: 10, highWatermark: 5 });
    f.truncated(10);
    f.truncationNeeded();
    expect(f.state).toBe('truncating');
    expect(() => f.fetched(11, 5)).toThrow(/only while fetching/);
  });

  it('asserts that appending never shortens the log', () => {
    const f = new PartitionFollower({ leaderId: 2, leaderEpoch: 4, logEndOffset: 10, highWatermark: 5 });
    f.truncated(10);
    expect(() => f.fetched(9, 5)).toThrow(/never shortens/);
  });
});
