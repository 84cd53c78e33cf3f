/**
 * Which of the oldest segments retention deletes (Kafka's rules), as a pure function: by
 * time, a prefix whose newest timestamp is older than retention.ms; then by size, further
 * oldest segments while the log stays at or above retention.bytes without them. The
 * active (last) segment is never deleted.
 */
import type { LogConfig } from './config.js';

export interface RetainedSegment {
  sizeBytes: number;
  /** Largest batch timestamp in the segment. */
  maxTimestamp: number;
}

/** Number of leading segments to delete. */
export function segmentsToDelete(
  segments: readonly RetainedSegment[],
  config: Pick<LogConfig, 'retentionMs' | 'retentionBytes'>,
  nowMs: number,
): number {
  const deletable = segments.length - 1;
  let count = 0;
  if (config.retentionMs >= 0) {
    while (count < deletable && nowMs - segments[count].maxTimestamp > config.retentionMs) {
      count += 1;
    }
  }
  if (config.retentionBytes >= 0) {
    let excess = -config.retentionBytes;
    for (let i = count; i < segments.length; i++) excess += segments[i].sizeBytes;
    while (count < deletable && excess - segments[count].sizeBytes >= 0) {
      excess -= segments[count].sizeBytes;
      count += 1;
    }
  }
  return count;
}
