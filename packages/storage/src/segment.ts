/**
 * One segment: `<base>.log` plus its `.index` and `.timeindex`. Appends are one positioned
 * writeSync of already-contiguous batches; reads are one readSync of the bytes to return.
 * Sizes and offsets live in memory and bound every read, so bytes past them (a failed,
 * partly written append) are never served even before they are cut off.
 */
import fs from 'node:fs';
import path from 'node:path';
import { assert } from '@rill/base';
import { forEachWrittenBatch } from './assign-offsets.js';
import {
  batchBaseOffset,
  batchHeaderBytes,
  batchLastOffsetDelta,
  batchSizeBytes,
} from './batch-header.js';
import { type ScannedBatch, scanBatches } from './batch-scan.js';
import { StorageError, storageErrorFrom } from './errors.js';
import { fdatasync, readExactlyAt } from './file-io.js';
import { syncIndexFile, writeIndexTail } from './index-file.js';
import { lookupScanWindowBytesMax, relativeOffsetMax } from './limits.js';
import { SegmentIndexer } from './segment-indexer.js';

export interface SegmentPaths {
  log: string;
  offsetIndex: string;
  timeIndex: string;
}

export function segmentPaths(dir: string, baseOffset: number): SegmentPaths {
  const stem = path.join(dir, String(baseOffset).padStart(20, '0'));
  return { log: `${stem}.log`, offsetIndex: `${stem}.index`, timeIndex: `${stem}.timeindex` };
}

/** Base offset from a segment file name, or null for anything else. */
export function parseSegmentLogName(name: string): number | null {
  const match = /^(\d{20})\.log$/.exec(name);
  return match ? Number(match[1]) : null;
}

export interface SegmentState {
  fd: number;
  sizeBytes: number;
  nextOffset: number;
  indexer: SegmentIndexer;
}

export interface SegmentReadLimits {
  readonly maxBytes: number;
  readonly bound: number;
  readonly minOneBatch: boolean;
  readonly allocate: (bytes: number) => Buffer;
}

export interface SegmentRead {
  records: Buffer;
  firstOffset: number;
  nextOffset: number;
}

export class Segment {
  readonly paths: SegmentPaths;
  readonly #fd: number;
  #sizeBytes: number;
  #nextOffset: number;
  #indexer: SegmentIndexer;
  /** Monotonic time of the first append since open, for segment.ms rolling. */
  firstAppendMs: number | null = null;
  #syncsInFlight = 0;
  #closeRequested = false;
  #closed = false;

  constructor(
    readonly baseOffset: number,
    dir: string,
    private readonly indexIntervalBytes: number,
    state: SegmentState,
  ) {
    this.paths = segmentPaths(dir, baseOffset);
    this.#fd = state.fd;
    this.#sizeBytes = state.sizeBytes;
    this.#nextOffset = state.nextOffset;
    this.#indexer = state.indexer;
  }

  /** A new, empty segment; stale files of the same name are replaced. */
  static create(dir: string, baseOffset: number, indexIntervalBytes: number): Segment {
    const paths = segmentPaths(dir, baseOffset);
    const fd = fs.openSync(paths.log, 'w+');
    try {
      writeIndexTail(paths.offsetIndex, Buffer.alloc(0), 0);
      writeIndexTail(paths.timeIndex, Buffer.alloc(0), 0);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
    const indexer = new SegmentIndexer(baseOffset, indexIntervalBytes);
    const state = { fd, sizeBytes: 0, nextOffset: baseOffset, indexer };
    return new Segment(baseOffset, dir, indexIntervalBytes, state);
  }

  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  get nextOffset(): number {
    return this.#nextOffset;
  }

  /** Largest batch timestamp, -Infinity when empty. */
  get maxTimestamp(): number {
    return this.#indexer.maxTimestamp;
  }

  get isEmpty(): boolean {
    return this.#sizeBytes === 0;
  }

  get indexIsFull(): boolean {
    return this.#indexer.offsetIndex.isFull;
  }

  /** True when `lastOffset` cannot be stored relative to this segment's base. */
  cannotHold(lastOffset: number): boolean {
    return lastOffset - this.baseOffset > relativeOffsetMax;
  }

  /**
   * Writes `records` (offsets already assigned, starting at nextOffset) at the end. On any
   * failure the file is cut back to its previous length so no partial batch survives, and
   * a typed error is thrown; if even that cut fails the error says so (`log_failed`).
   */
  append(records: Buffer, lastOffset: number): void {
    assert(!this.#closed, 'append to a closed segment');
    const position = this.#sizeBytes;
    let written: number;
    try {
      written = fs.writeSync(this.#fd, records, 0, records.length, position);
    } catch (error) {
      this.#cutBack(position);
      throw storageErrorFrom(error, `append to ${this.paths.log}`);
    }
    if (written !== records.length) {
      this.#cutBack(position);
      const message = `short write to ${this.paths.log}: ${written} of ${records.length}`;
      throw new StorageError('disk_full', message);
    }
    this.#sizeBytes += records.length;
    this.#nextOffset = lastOffset + 1;
    forEachWrittenBatch(records, position, (batch) => this.#indexer.note(batch));
  }

  #cutBack(position: number): void {
    try {
      fs.ftruncateSync(this.#fd, position);
    } catch (error) {
      throw new StorageError('log_failed', `cannot cut back ${this.paths.log}`, { cause: error });
    }
  }

  /**
   * Whole batches from the one containing `offset`, none whose last offset is >= `bound`,
   * at most `maxBytes` unless the first batch alone is larger: then that batch, or with
   * `minOneBatch` false nothing (and nothing is read). Null when `offset` is not in this
   * segment. The bytes are read into a buffer from `allocate`.
   */
  read(offset: number, limits: SegmentReadLimits): SegmentRead | null {
    const { maxBytes, bound, minOneBatch, allocate } = limits;
    const first = this.locate(offset);
    if (first === null) return null;
    if (first.lastOffset >= bound || (!minOneBatch && first.sizeBytes > maxBytes)) {
      return { records: Buffer.alloc(0), firstOffset: offset, nextOffset: offset };
    }
    const available = this.#sizeBytes - first.position;
    let length = Math.min(available, Math.max(first.sizeBytes, maxBytes));
    if (bound < this.#nextOffset) {
      const limit = this.#positionOfFirstIndexedAtOrAbove(bound) - first.position;
      length = Math.min(length, Math.max(first.sizeBytes, limit));
    }
    const records = allocate(length);
    readExactlyAt(this.#fd, records, first.position, length);
    if (length === available && bound >= this.#nextOffset) {
      return { records, firstOffset: first.baseOffset, nextOffset: this.#nextOffset };
    }
    return trimToWholeBatches(records, first, bound);
  }

  /** The batch containing `offset`, found from the sparse index plus a header scan. */
  locate(offset: number): ScannedBatch | null {
    if (offset < this.baseOffset || offset >= this.#nextOffset) return null;
    const found = this.#scanFromIndex(offset);
    if (found !== 'corrupt') return found;
    // The index pointed somewhere that is not a batch start: it is derived data, so
    // rebuild it from the log and try again; if the log itself is bad, say so.
    this.rebuildIndexes();
    const retry = this.#scanFromIndex(offset);
    if (retry === 'corrupt') {
      throw new StorageError('corrupt', `${this.paths.log}: no valid batch at offset ${offset}`);
    }
    return retry;
  }

  #scanFromIndex(offset: number): ScannedBatch | null | 'corrupt' {
    const index = this.#indexer.offsetIndex;
    const entry = index.floor(offset - this.baseOffset);
    const start = entry < 0 ? 0 : index.positionAt(entry);
    const expected = this.baseOffset + (entry < 0 ? 0 : index.relativeOffsetAt(entry));
    let found: ScannedBatch | null = null;
    const result = scanBatches({
      fd: this.#fd,
      start,
      end: this.#sizeBytes,
      windowBytes: this.#lookupWindowBytes(),
      verifyCrc: false,
      expectedBaseOffset: expected,
      visit: (batch) => {
        if (batch.lastOffset < offset) return true;
        found = batch;
        return false;
      },
    });
    if (result.stop === 'stopped' || result.stop === 'end') return found;
    return 'corrupt';
  }

  #lookupWindowBytes(): number {
    const wanted = this.indexIntervalBytes + 2 * batchHeaderBytes;
    return Math.min(lookupScanWindowBytesMax, Math.max(4096, wanted));
  }

  /** Start of the first indexed batch whose base offset is >= `offset`, else the end. */
  #positionOfFirstIndexedAtOrAbove(offset: number): number {
    const index = this.#indexer.offsetIndex;
    const next = index.floor(offset - this.baseOffset - 1) + 1;
    return next < index.count ? index.positionAt(next) : this.#sizeBytes;
  }

  /** First batch (from the time index) whose maxTimestamp >= `timestamp`. */
  findByTimestamp(timestamp: number): ScannedBatch | null {
    if (this.maxTimestamp < timestamp) return null;
    const timeIndex = this.#indexer.timeIndex;
    const entry = timeIndex.lastBefore(timestamp);
    let offset = this.baseOffset + (entry < 0 ? 0 : timeIndex.relativeOffsetAt(entry));
    for (let batch = this.locate(offset); batch !== null; batch = this.locate(offset)) {
      if (batch.maxTimestamp >= timestamp) return batch;
      offset = batch.lastOffset + 1;
    }
    return null;
  }

  /**
   * Drops the batch containing `offset` and everything after it (a batch is never split),
   * so the segment ends at that batch's base offset, which is returned.
   */
  truncateTo(offset: number): number {
    const batch = this.locate(offset);
    if (batch === null) return this.#nextOffset;
    fs.ftruncateSync(this.#fd, batch.position);
    this.#sizeBytes = batch.position;
    this.#nextOffset = batch.baseOffset;
    this.#indexer = this.#reindexAfterTruncation();
    this.persistIndexes();
    return this.#nextOffset;
  }

  /** Keeps index entries below the new end and recomputes the tail state by a scan. */
  #reindexAfterTruncation(): SegmentIndexer {
    const relativeEnd = this.#nextOffset - this.baseOffset;
    const { offsetIndex, timeIndex } = this.#indexer;
    offsetIndex.truncate(offsetIndex.floor(relativeEnd - 1) + 1);
    timeIndex.truncateFrom(relativeEnd);
    const indexer = new SegmentIndexer(this.baseOffset, this.indexIntervalBytes, {
      offsetIndex,
      timeIndex,
    });
    const last = offsetIndex.count - 1;
    if (last < 0) return indexer;
    indexer.bytesSinceIndexEntry = 0;
    const result = scanBatches({
      fd: this.#fd,
      start: offsetIndex.positionAt(last),
      end: this.#sizeBytes,
      windowBytes: this.#lookupWindowBytes(),
      verifyCrc: false,
      expectedBaseOffset: this.baseOffset + offsetIndex.relativeOffsetAt(last),
      visit: (batch) => (indexer.note(batch), true),
    });
    assert(result.stop === 'end', 'the kept part of a truncated segment scans cleanly');
    return indexer;
  }

  /** Rebuilds both indexes from the batch headers; the next flush rewrites their files. */
  rebuildIndexes(): void {
    const indexer = new SegmentIndexer(this.baseOffset, this.indexIntervalBytes);
    const result = scanBatches({
      fd: this.#fd,
      start: 0,
      end: this.#sizeBytes,
      windowBytes: lookupScanWindowBytesMax,
      verifyCrc: false,
      expectedBaseOffset: this.baseOffset,
      visit: (batch) => (indexer.note(batch), true),
    });
    if (result.stop !== 'end') {
      throw new StorageError('corrupt', `${this.paths.log}: invalid batch at ${result.position}`);
    }
    this.#indexer = indexer;
    this.resetIndexFiles();
  }

  /**
   * Empties both index files (cutting needs no free space, unlike writing) and marks every
   * entry unwritten, so the next flush writes them. Until then the segment stays above the
   * recovery point or fails the index checks on open, so the empty files are never trusted.
   */
  resetIndexFiles(): void {
    writeIndexTail(this.paths.offsetIndex, Buffer.alloc(0), 0);
    writeIndexTail(this.paths.timeIndex, Buffer.alloc(0), 0);
    this.#indexer.offsetIndex.markUnpersisted();
    this.#indexer.timeIndex.markUnpersisted();
  }

  get hasUnpersistedIndexes(): boolean {
    return this.#indexer.offsetIndex.hasPending || this.#indexer.timeIndex.hasPending;
  }

  /** Writes index entries not yet in the files (small sequential writes). */
  persistIndexes(): void {
    const { offsetIndex, timeIndex } = this.#indexer;
    const offsets = offsetIndex.pending();
    writeIndexTail(this.paths.offsetIndex, offsets.bytes, offsets.fromByte);
    offsetIndex.markPersisted();
    const times = timeIndex.pending();
    writeIndexTail(this.paths.timeIndex, times.bytes, times.fromByte);
    timeIndex.markPersisted();
  }

  /** fdatasync of the log and both index files; the fd stays open until it finishes. */
  async sync(): Promise<void> {
    assert(!this.#closed, 'sync of a closed segment');
    this.#syncsInFlight += 1;
    try {
      await fdatasync(this.#fd);
      await syncIndexFile(this.paths.offsetIndex);
      await syncIndexFile(this.paths.timeIndex);
    } finally {
      this.#syncsInFlight -= 1;
      if (this.#closeRequested && this.#syncsInFlight === 0) this.#closeNow();
    }
  }

  /** Closes the fd, after any sync in flight (closing under it could let the fd be reused). */
  close(): void {
    if (this.#syncsInFlight > 0) this.#closeRequested = true;
    else this.#closeNow();
  }

  #closeNow(): void {
    if (this.#closed) return;
    this.#closed = true;
    fs.closeSync(this.#fd);
  }

  /** Closes and unlinks the three files (an open fd keeps a sync in flight valid). */
  deleteFiles(): void {
    this.close();
    for (const file of [this.paths.log, this.paths.offsetIndex, this.paths.timeIndex]) {
      fs.rmSync(file, { force: true });
    }
  }
}

/** Cuts a read buffer after the last whole batch below `bound`; the first is always kept. */
function trimToWholeBatches(records: Buffer, first: ScannedBatch, bound: number): SegmentRead {
  let end = first.sizeBytes;
  let nextOffset = first.lastOffset + 1;
  while (end + batchHeaderBytes <= records.length) {
    const sizeBytes = batchSizeBytes(records, end);
    if (end + sizeBytes > records.length) break;
    const lastOffset = batchBaseOffset(records, end) + batchLastOffsetDelta(records, end);
    if (lastOffset >= bound) break;
    end += sizeBytes;
    nextOffset = lastOffset + 1;
  }
  return { records: records.subarray(0, end), firstOffset: first.baseOffset, nextOffset };
}
