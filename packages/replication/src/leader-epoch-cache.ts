/**
 * The leader epoch cache of one partition replica (KIP-101, KIP-279): for each leader epoch
 * that wrote to this log, the offset of its first record. A new leader records its epoch at
 * its log end offset as soon as it is elected; a follower records an epoch when it appends
 * the first batch carrying it. The driver persists `entries` (Kafka's
 * leader-epoch-checkpoint) after every change and rebuilds the cache from it on restart,
 * then calls `truncateFromEnd` with the recovered log end offset.
 *
 * Entries are kept strictly increasing in both epoch and start offset, and only the last
 * one may start at the log end (a leader's epoch before its first record). The number of entries
 * is the number of leader epochs that wrote into the retained log: it grows with elections,
 * never with client input, and retention (`truncateFromStart`) trims it.
 */
import { epochMax, offsetMax } from './limits.js';

export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET. */
export const undefinedEpoch = -1;
export const undefinedEpochOffset = -1;
export const undefinedEpochEndOffset: EpochEndOffset = Object.freeze({
  epoch: undefinedEpoch,
  endOffset: undefinedEpochOffset,
});

export class LeaderEpochCache {
  #entries: EpochEntry[] = [];

  /** From a checkpoint: entries that break monotonicity are dropped as `assign` would. */
  constructor(entries: readonly EpochEntry[] = []) {
    for (const entry of entries) this.assign(entry.epoch, entry.startOffset);
  }

  get entries(): readonly EpochEntry[] {
    return this.#entries;
  }

  /** The newest epoch, or -1 when the cache is empty. */
  get latestEpoch(): number {
    return this.#entries.at(-1)?.epoch ?? undefinedEpoch;
  }

  /**
   * A record of `epoch` is appended at `startOffset` (the log end before the append), or a
   * new leader of `epoch` starts writing there. Entries that start at or after
   * `startOffset` describe no record (an epoch this replica led without writing) and are
   * dropped first; then the epoch is recorded if it is newer than the latest. Returns
   * whether the cache changed (the driver persists it then). Out-of-range values are
   * ignored.
   *
   * Dropping first matters: a replica that led epoch 4 at log end 12 without writing, then
   * follows a leader whose log holds an epoch-2 record at 12, must not keep claiming that
   * offset 12 onwards is epoch 4 — the next divergence search would cut a committed record
   * (found by the simulation, seed 8104).
   */
  assign(epoch: number, startOffset: number): boolean {
    if (!isInRange(epoch, epochMax) || !isInRange(startOffset, offsetMax)) return false;
    const latest = this.#entries.at(-1);
    if (latest !== undefined && latest.epoch === epoch && latest.startOffset <= startOffset) return false;
    let changed = false;
    while ((this.#entries.at(-1)?.startOffset ?? -1) >= startOffset) {
      this.#entries.pop();
      changed = true;
    }
    if (epoch <= this.latestEpoch) return changed;
    this.#entries.push(Object.freeze({ epoch, startOffset }));
    return true;
  }

  /**
   * The end offset of `epoch` in this log, as Kafka's LeaderEpochFileCache.endOffsetFor:
   * - the latest epoch ends at the log end offset;
   * - an epoch newer than the latest (or -1, or an empty cache) is undefined;
   * - otherwise the answer is the largest known epoch not above `epoch` (or `epoch` itself
   *   when it is older than every entry: that data is gone) with the start offset of the
   *   next higher epoch as its end.
   */
  endOffsetFor(epoch: number, logEndOffset: number): EpochEndOffset {
    const entries = this.#entries;
    if (epoch === undefinedEpoch || entries.length === 0) return undefinedEpochEndOffset;
    if (epoch === this.latestEpoch) return { epoch, endOffset: logEndOffset };
    let higher = entries.length;
    while (higher > 0 && entries[higher - 1]!.epoch > epoch) higher--;
    if (higher === entries.length) return undefinedEpochEndOffset;
    const endOffset = entries[higher]!.startOffset;
    const floor = higher === 0 ? epoch : entries[higher - 1]!.epoch;
    return { epoch: floor, endOffset };
  }

  /** The log now ends at `logEndOffset`: drop entries that start at or after it. */
  truncateFromEnd(logEndOffset: number): boolean {
    const before = this.#entries.length;
    while ((this.#entries.at(-1)?.startOffset ?? -1) >= logEndOffset) this.#entries.pop();
    return this.#entries.length !== before;
  }

  /**
   * Retention moved the log start to `logStartOffset`: entries wholly below it go, and the
   * epoch that covers it now starts there.
   */
  truncateFromStart(logStartOffset: number): boolean {
    let floor = -1;
    while (floor + 1 < this.#entries.length && this.#entries[floor + 1]!.startOffset <= logStartOffset)
      floor++;
    if (floor < 0) return false;
    const covering = this.#entries[floor]!;
    if (floor === 0 && covering.startOffset === logStartOffset) return false;
    this.#entries = [
      Object.freeze({ epoch: covering.epoch, startOffset: logStartOffset }),
      ...this.#entries.slice(floor + 1),
    ];
    return true;
  }
}

function isInRange(value: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= max;
}
