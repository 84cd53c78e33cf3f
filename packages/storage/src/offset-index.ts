/**
 * Sparse offset index of one segment: (offset relative to the segment base, file position)
 * of a batch start, one entry per log.index.interval.bytes appended. Entries live in typed
 * arrays for lookups; the file (8 bytes per entry, big-endian int32 pair) is a copy.
 */
import { assert } from '@rill/base';
import { offsetIndexEntriesMax } from './limits.js';

const entryBytes = 8;

export class OffsetIndex {
  #relativeOffsets = new Int32Array(16);
  #positions = new Int32Array(16);
  #count = 0;
  /** Entries already in the file. */
  #persisted = 0;

  get count(): number {
    return this.#count;
  }

  get isFull(): boolean {
    return this.#count >= offsetIndexEntriesMax;
  }

  relativeOffsetAt(i: number): number {
    return this.#relativeOffsets[i];
  }

  positionAt(i: number): number {
    return this.#positions[i];
  }

  append(relativeOffset: number, position: number): void {
    assert(!this.isFull, 'offset index full: the segment should have rolled');
    const last = this.#count - 1;
    if (last >= 0) {
      assert(relativeOffset > this.#relativeOffsets[last], 'index offsets must increase');
      assert(position > this.#positions[last], 'index positions must increase');
    }
    if (this.#count === this.#positions.length) this.#grow();
    this.#relativeOffsets[this.#count] = relativeOffset;
    this.#positions[this.#count] = position;
    this.#count += 1;
  }

  /** Index of the last entry with relativeOffset <= target, or -1. */
  floor(relativeOffset: number): number {
    let low = 0;
    let high = this.#count - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.#relativeOffsets[mid] <= relativeOffset) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /** Keeps the first `count` entries. */
  truncate(count: number): void {
    assert(count >= 0 && count <= this.#count, 'truncate within the index');
    this.#count = count;
    this.#persisted = Math.min(this.#persisted, count);
  }

  /** Entries not yet in the file, encoded, and the file position they go to. */
  pending(): { bytes: Buffer; fromByte: number } {
    const bytes = Buffer.allocUnsafe((this.#count - this.#persisted) * entryBytes);
    for (let i = this.#persisted; i < this.#count; i++) {
      const at = (i - this.#persisted) * entryBytes;
      bytes.writeInt32BE(this.#relativeOffsets[i], at);
      bytes.writeInt32BE(this.#positions[i], at + 4);
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

  /** Everything must be rewritten (the file was found corrupt). */
  markUnpersisted(): void {
    this.#persisted = 0;
  }

  /**
   * Loads a file after sanity checks (whole entries, strictly increasing offsets and
   * positions, positions inside the segment); null means "rebuild it".
   */
  static decode(file: Buffer, segmentBytes: number): OffsetIndex | null {
    if (file.length % entryBytes !== 0) return null;
    const count = file.length / entryBytes;
    if (count > offsetIndexEntriesMax) return null;
    const index = new OffsetIndex();
    for (let i = 0; i < count; i++) {
      const relativeOffset = file.readInt32BE(i * entryBytes);
      const position = file.readInt32BE(i * entryBytes + 4);
      const last = index.#count - 1;
      if (relativeOffset < 0 || position < 0 || position >= segmentBytes) return null;
      if (last >= 0 && relativeOffset <= index.#relativeOffsets[last]) return null;
      if (last >= 0 && position <= index.#positions[last]) return null;
      index.append(relativeOffset, position);
    }
    index.markPersisted();
    return index;
  }

  #grow(): void {
    const size = Math.min(this.#positions.length * 2, offsetIndexEntriesMax);
    const relativeOffsets = new Int32Array(size);
    const positions = new Int32Array(size);
    relativeOffsets.set(this.#relativeOffsets);
    positions.set(this.#positions);
    this.#relativeOffsets = relativeOffsets;
    this.#positions = positions;
  }
}
