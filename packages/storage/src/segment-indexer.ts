/**
 * Decides where index entries go as batches arrive (append, recovery, index rebuild all
 * feed it the same way, so rebuilt indexes equal the ones written live) and tracks the
 * segment's largest timestamp.
 */
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

export interface IndexedBatch {
  position: number;
  sizeBytes: number;
  baseOffset: number;
  maxTimestamp: number;
}

export class SegmentIndexer {
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** Largest batch maxTimestamp in the segment; -Infinity while it is empty. */
  maxTimestamp: number;
  /** Starts "infinite" so the first batch of a segment is always indexed. */
  bytesSinceIndexEntry = Infinity;

  constructor(
    private readonly baseOffset: number,
    private readonly indexIntervalBytes: number,
    loaded?: { offsetIndex: OffsetIndex; timeIndex: TimeIndex },
  ) {
    this.offsetIndex = loaded?.offsetIndex ?? new OffsetIndex();
    this.timeIndex = loaded?.timeIndex ?? new TimeIndex();
    this.maxTimestamp = this.timeIndex.lastTimestamp;
  }

  note(batch: IndexedBatch): void {
    const relativeOffset = batch.baseOffset - this.baseOffset;
    if (batch.maxTimestamp > this.maxTimestamp) this.maxTimestamp = batch.maxTimestamp;
    const index = this.offsetIndex;
    const lastIndexed = index.count === 0 ? -1 : index.relativeOffsetAt(index.count - 1);
    // The second test skips the batch an index loaded from disk already points at.
    if (this.bytesSinceIndexEntry >= this.indexIntervalBytes && relativeOffset > lastIndexed) {
      index.append(relativeOffset, batch.position);
      this.timeIndex.maybeAppend(this.maxTimestamp, relativeOffset);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += batch.sizeBytes;
  }
}
