/**
 * The in-memory Raft log: an optional snapshot followed by dense entries. It mirrors what the
 * driver has persisted (plus what the current drain will persist). Offsets below
 * `startOffset` live only in the snapshot.
 */
import { assert } from '@rill/base';
import type { DivergingEpoch } from './messages.js';
import type { Entry, RaftSnapshot } from './types.js';

export class RaftLog {
  #entries: Entry[] = [];
  #snapshot: RaftSnapshot | null;

  constructor(snapshot: RaftSnapshot | null, entries: readonly Entry[]) {
    this.#snapshot = snapshot;
    const start = this.startOffset;
    // Stored entries at or below the snapshot are leftovers of a crash between the two writes.
    for (const entry of entries) if (entry.offset >= start) this.append([entry]);
  }

  /** First offset held as an entry; everything below is in the snapshot. */
  get startOffset(): number {
    return this.#snapshot === null ? 0 : this.#snapshot.lastOffset + 1;
  }

  /** Offset the next entry will get. */
  get endOffset(): number {
    return this.startOffset + this.#entries.length;
  }

  get snapshot(): RaftSnapshot | null {
    return this.#snapshot;
  }

  /** Epoch of the last entry (or of the snapshot); 0 for an empty log. */
  get lastEpoch(): number {
    return this.epochAt(this.endOffset - 1) ?? 0;
  }

  /**
   * Epoch of the entry at `offset`; offset -1 is the empty prefix (epoch 0). Null when the
   * offset is past the end or buried in the snapshot, where only its last entry is known.
   */
  epochAt(offset: number): number | null {
    if (offset === -1) return 0;
    if (this.#snapshot !== null && offset === this.#snapshot.lastOffset)
      return this.#snapshot.lastEpoch;
    const entry = this.entryAt(offset);
    return entry === undefined ? null : entry.epoch;
  }

  entryAt(offset: number): Entry | undefined {
    if (offset < this.startOffset) return undefined;
    return this.#entries[offset - this.startOffset];
  }

  /** Entries from `from`: at most `maxEntries`, and within `maxBytes` unless it is the first. */
  read(from: number, maxEntries: number, maxBytes: number): Entry[] {
    assert(from >= this.startOffset, 'read below the log start');
    const result: Entry[] = [];
    let bytes = 0;
    for (
      let i = from - this.startOffset;
      i < this.#entries.length && result.length < maxEntries;
      i++
    ) {
      const entry = this.#entries[i]!;
      bytes += entry.payload.length;
      if (bytes > maxBytes && result.length > 0) break;
      result.push(entry);
    }
    return result;
  }

  append(entries: readonly Entry[]): void {
    for (const entry of entries) {
      assert(
        entry.offset === this.endOffset,
        `append at ${entry.offset}, log ends at ${this.endOffset}`,
      );
      assert(entry.epoch >= this.lastEpoch, `epoch ${entry.epoch} after ${this.lastEpoch}`);
      this.#entries.push(entry);
    }
  }

  /** Drop entries with offset >= `offset`. */
  truncateFrom(offset: number): void {
    assert(
      offset >= this.startOffset,
      `truncate at ${offset} below the log start ${this.startOffset}`,
    );
    if (offset < this.endOffset) this.#entries.length = offset - this.startOffset;
  }

  /**
   * Make `snapshot` the log's base. Entries above it stay only if the log agrees with it at
   * its last offset (a local snapshot always does); otherwise the whole log is replaced.
   * Returns the truncation the driver must persist, or null.
   */
  installSnapshot(snapshot: RaftSnapshot): number | null {
    assert(snapshot.lastOffset >= this.startOffset, 'snapshot older than the log start');
    const agrees = this.epochAt(snapshot.lastOffset) === snapshot.lastEpoch;
    const kept = agrees ? this.#entries.slice(snapshot.lastOffset + 1 - this.startOffset) : [];
    const truncate =
      !agrees && this.endOffset > snapshot.lastOffset + 1 ? snapshot.lastOffset + 1 : null;
    this.#snapshot = snapshot;
    this.#entries = kept;
    return truncate;
  }

  /**
   * The largest epoch <= `epoch` in this log and the offset where it ends (exclusive): how far
   * a follower whose last entry has `epoch` agrees with us (KIP-595's divergingEpoch). Null
   * when that epoch is older than the snapshot, so only a snapshot can help.
   */
  endOffsetForEpoch(epoch: number): DivergingEpoch | null {
    if (epoch >= this.lastEpoch) return { epoch: this.lastEpoch, endOffset: this.endOffset };
    // Epochs never decrease along the log: find the first entry with a larger epoch.
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#entries[middle]!.epoch > epoch) high = middle;
      else low = middle + 1;
    }
    if (low > 0) return { epoch: this.#entries[low - 1]!.epoch, endOffset: this.startOffset + low };
    const baseEpoch = this.#snapshot === null ? 0 : this.#snapshot.lastEpoch;
    return baseEpoch <= epoch ? { epoch: baseEpoch, endOffset: this.startOffset } : null;
  }
}
