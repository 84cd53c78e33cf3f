/**
 * Sparse time index of one segment. Entry (T, O): T is the largest batch maxTimestamp of
 * every batch up to and including the batch starting at relative offset O. Entries are
 * added at offset-index points and only when T grows, so T strictly increases. Lookup for a
 * target takes the last entry with T < target: no batch up to O can match, so a scan may
 * start at O. File: 12 bytes per entry (int64 timestamp, int32 relative offset).
 */
import { assert } from '@rill/base';
import { offsetIndexEntriesMax } from './limits.js';

const entryBytes = 12;

export class TimeIndex {
  #timestamps = new Float64Array(16);
  #relativeOffsets = new Int32Array(16);
  #count = 0;
  #persisted = 0;

  get count(): number {
    return this.#count;
  }

  /** The largest timestamp indexed, or -Infinity when empty. */
  get lastTimestamp(): number {
    return this.#count === 0 ? -Infinity : this.#timestamps[this.#count - 1];
  }

  get lastRelativeOffset(): number {
    return this.#count === 0 ? 0 : this.#relativeOffsets[this.#count - 1];
  }

  relativeOffsetAt(i: number): number {
    return this.#relativeOffsets[i];
  }

  /** Adds (timestamp, relativeOffset) if timestamp is a new maximum. */
  maybeAppend(timestamp: number, relativeOffset: number): void {
    if (timestamp <= this.lastTimestamp) return;
    assert(relativeOffset >= this.lastRelativeOffset, 'time index offsets must not decrease');
    assert(this.#count < offsetIndexEntriesMax, 'time index grows with the offset index');
    if (this.#count === this.#timestamps.length) this.#grow();
    this.#timestamps[this.#count] = timestamp;
    this.#relativeOffsets[this.#count] = relativeOffset;
    this.#count += 1;
  }

  /** Index of the last entry with timestamp < target, or -1. */
  lastBefore(timestamp: number): number {
    let low = 0;
    let high = this.#count - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.#timestamps[mid] < timestamp) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /** Drops entries at or above `relativeOffset` (the log was truncated there). */
  truncateFrom(relativeOffset: number): void {
    let count = this.#count;
    while (count > 0 && this.#relativeOffsets[count - 1] >= relativeOffset) count -= 1;
    this.#count = count;
    this.#persisted = Math.min(this.#persisted, count);
  }

  pending(): { bytes: Buffer; fromByte: number } {
    const bytes = Buffer.allocUnsafe((this.#count - this.#persisted) * entryBytes);
    for (let i = this.#persisted; i < this.#count; i++) {
      const at = (i - this.#persisted) * entryBytes;
      bytes.writeBigInt64BE(BigInt(this.#timestamps[i]), at);
      bytes.writeInt32BE(this.#relativeOffsets[i], at + 8);
    }
    return { bytes, fromByte: this.#persisted * entryBytes };
  }

  /** Entries exist that the file does not have yet. */
  get hasPending(): boolean {
    return this.#persisted < this.#count;
  }

  markPersisted(): void {
    this.#persisted = this.#count;
  }

  markUnpersisted(): void {
    this.#persisted = 0;
  }

  /** Loads a file after sanity checks; null means "rebuild it". */
  static decode(file: Buffer, relativeOffsetLimit: number): TimeIndex | null {
    if (file.length % entryBytes !== 0) return null;
    const count = file.length / entryBytes;
    if (count > offsetIndexEntriesMax) return null;
    const index = new TimeIndex();
    for (let i = 0; i < count; i++) {
      const timestamp = Number(file.readBigInt64BE(i * entryBytes));
      const relativeOffset = file.readInt32BE(i * entryBytes + 8);
      if (timestamp <= index.lastTimestamp) return null;
      if (relativeOffset < index.lastRelativeOffset) return null;
      if (relativeOffset < 0 || relativeOffset >= relativeOffsetLimit) return null;
      index.maybeAppend(timestamp, relativeOffset);
    }
    index.markPersisted();
    return index;
  }

  #grow(): void {
    const size = Math.min(this.#timestamps.length * 2, offsetIndexEntriesMax);
    const timestamps = new Float64Array(size);
    const relativeOffsets = new Int32Array(size);
    timestamps.set(this.#timestamps);
    relativeOffsets.set(this.#relativeOffsets);
    this.#timestamps = timestamps;
    this.#relativeOffsets = relativeOffsets;
  }
}
