/**
 * What one simulated broker keeps across a crash: its partition log (records, and how much
 * of it was flushed), the leader-epoch checkpoint and the high-watermark checkpoint. A
 * process crash keeps the whole log (the page cache survives kill -9); a torn tail cuts the
 * unflushed suffix at a random point, as a power loss or a half-written segment would. On
 * restart the driver recovers: the epoch cache is truncated to the recovered log end, the
 * HW checkpoint is capped by it.
 */
import type { Random } from '@rill/base';
import type { EpochEntry } from '../index.js';
import { LeaderEpochCache } from '../index.js';
import type { SimRecord } from './sim-messages.js';

export class SimDisk {
  readonly log: SimRecord[] = [];
  /** Records below this offset are on stable storage. */
  flushedEnd = 0;
  epochEntries: readonly EpochEntry[] = [];
  highWatermarkCheckpoint = 0;

  get logEndOffset(): number {
    return this.log.length;
  }

  append(record: SimRecord): void {
    this.log.push(record);
  }

  truncate(logEndOffset: number): void {
    if (logEndOffset >= this.log.length) return;
    this.log.length = logEndOffset;
    this.flushedEnd = Math.min(this.flushedEnd, logEndOffset);
    this.highWatermarkCheckpoint = Math.min(this.highWatermarkCheckpoint, logEndOffset);
  }

  flush(highWatermark: number): void {
    this.flushedEnd = this.log.length;
    this.highWatermarkCheckpoint = Math.min(highWatermark, this.log.length);
  }

  /** A crash that tears the unflushed tail at a random point: what was lost (null: nothing unflushed). */
  tear(random: Random): { cut: number; lost: SimRecord[] } | null {
    if (this.flushedEnd >= this.log.length) return null;
    const cut = random.between(this.flushedEnd, this.log.length - 1);
    const lost = this.log.slice(cut);
    this.truncate(cut);
    return { cut, lost };
  }

  /** The driver's recovery on restart: the epoch cache from its checkpoint, cut to the log. */
  recoverEpochCache(): LeaderEpochCache {
    const cache = new LeaderEpochCache(this.epochEntries);
    cache.truncateFromEnd(this.log.length);
    this.epochEntries = cache.entries;
    return cache;
  }
}
