import { describe, expect, it } from 'vitest';
import { segmentsToDelete } from './retention.js';

const seg = (sizeBytes: number, maxTimestamp: number) => ({ sizeBytes, maxTimestamp });

describe('segmentsToDelete', () => {
  it('deletes an old prefix by time but never the active segment', () => {
    const segments = [seg(10, 100), seg(10, 200), seg(10, 900), seg(10, 50)];
    expect(segmentsToDelete(segments, { retentionMs: 500, retentionBytes: -1 }, 1000)).toBe(2);
    expect(segmentsToDelete(segments, { retentionMs: 0, retentionBytes: -1 }, 10_000)).toBe(3);
    expect(segmentsToDelete(segments, { retentionMs: -1, retentionBytes: -1 }, 10_000)).toBe(0);
  });

  it('deletes oldest segments while the rest still reach retention.bytes', () => {
    const segments = [seg(100, 0), seg(100, 0), seg(100, 0), seg(30, 0)];
    const config = { retentionMs: -1, retentionBytes: 150 };
    // 330 total: dropping 100 leaves 230 >= 150, dropping another leaves 130 < 150: stop.
    expect(segmentsToDelete(segments, config, 0)).toBe(1);
    expect(segmentsToDelete(segments, { retentionMs: -1, retentionBytes: 0 }, 0)).toBe(3);
  });

  it('applies size after time', () => {
    const segments = [seg(100, 0), seg(100, 5000), seg(100, 5000), seg(10, 5000)];
    const config = { retentionMs: 1000, retentionBytes: 100 };
    expect(segmentsToDelete(segments, config, 2000)).toBe(2);
  });
});
