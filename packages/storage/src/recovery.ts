/**
 * Opening a segment from disk. Below the recovery point the data was fsynced, so only the
 * indexes are loaded (after sanity checks) and the short unindexed tail is walked. At or
 * above it nothing is trusted: every batch is checked (size, magic 2, contiguous offsets,
 * CRC-32C) and the file is cut at the first invalid byte, as Kafka's LogSegment.recover does.
 */
import fs from 'node:fs';
import { batchBaseOffset, batchHeaderBytes, batchMagic, magicV2 } from './batch-header.js';
import { type ScanStop, scanBatches } from './batch-scan.js';
import { readAt } from './file-io.js';
import { readIndexFile } from './index-file.js';
import { lookupScanWindowBytesMax, recoveryScanWindowBytesMax } from './limits.js';
import { OffsetIndex } from './offset-index.js';
import { Segment, segmentPaths } from './segment.js';
import { SegmentIndexer } from './segment-indexer.js';
import { TimeIndex } from './time-index.js';

export interface SegmentOpenOptions {
  dir: string;
  baseOffset: number;
  indexIntervalBytes: number;
  /** Check every batch (the segment holds data at or above the recovery point). */
  recover: boolean;
}

export interface SegmentOpenReport {
  segment: Segment;
  recovered: boolean;
  /** Bytes cut off the end because they were not whole, valid batches. */
  truncatedBytes: number;
  stop: ScanStop;
  /** The on-disk indexes failed their checks and were rebuilt. */
  indexesRebuilt: boolean;
}

export function openSegment(options: SegmentOpenOptions): SegmentOpenReport {
  const paths = segmentPaths(options.dir, options.baseOffset);
  const fd = fs.openSync(paths.log, 'r+');
  try {
    if (!options.recover) {
      const loaded = loadSegment(fd, options);
      if (loaded !== null) return loaded;
    }
    return recoverSegment(fd, options);
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

function recoverSegment(fd: number, options: SegmentOpenOptions): SegmentOpenReport {
  const fileBytes = fs.fstatSync(fd).size;
  const indexer = new SegmentIndexer(options.baseOffset, options.indexIntervalBytes);
  const result = scanBatches({
    fd,
    start: 0,
    end: fileBytes,
    windowBytes: recoveryScanWindowBytesMax,
    verifyCrc: true,
    expectedBaseOffset: options.baseOffset,
    visit: (batch) => (indexer.note(batch), true),
  });
  if (result.position < fileBytes) fs.ftruncateSync(fd, result.position);
  const state = { fd, sizeBytes: result.position, nextOffset: result.nextOffset, indexer };
  const segment = new Segment(options.baseOffset, options.dir, options.indexIntervalBytes, state);
  // The old index files may describe bytes that were just cut off. Recovery must work on a
  // full disk, so they are emptied now and written by the next flush.
  segment.resetIndexFiles();
  return {
    segment,
    recovered: true,
    truncatedBytes: fileBytes - result.position,
    stop: result.stop,
    indexesRebuilt: !options.recover,
  };
}

/** Loads trusted data; null when an index or the tail fails a check (then recover). */
function loadSegment(fd: number, options: SegmentOpenOptions): SegmentOpenReport | null {
  const paths = segmentPaths(options.dir, options.baseOffset);
  const fileBytes = fs.fstatSync(fd).size;
  const offsetFile = readIndexFile(paths.offsetIndex);
  const timeFile = readIndexFile(paths.timeIndex);
  if (offsetFile === null || timeFile === null) return null;
  const offsetIndex = OffsetIndex.decode(offsetFile, Math.max(fileBytes, 1));
  const timeIndex = TimeIndex.decode(timeFile, Number.MAX_SAFE_INTEGER);
  if (offsetIndex === null || timeIndex === null) return null;
  if (offsetIndex.count === 0 && fileBytes > 0) return null;
  const indexer = new SegmentIndexer(options.baseOffset, options.indexIntervalBytes, {
    offsetIndex,
    timeIndex,
  });
  const last = offsetIndex.count - 1;
  const start = last < 0 ? 0 : offsetIndex.positionAt(last);
  const expected = options.baseOffset + (last < 0 ? 0 : offsetIndex.relativeOffsetAt(last));
  if (last >= 0 && !batchStartsAt(fd, start, expected)) return null;
  if (last >= 0) indexer.bytesSinceIndexEntry = 0;
  const result = scanBatches({
    fd,
    start,
    end: fileBytes,
    windowBytes: lookupScanWindowBytesMax,
    verifyCrc: false,
    expectedBaseOffset: expected,
    visit: (batch) => (indexer.note(batch), true),
  });
  if (result.stop !== 'end') return null;
  if (timeIndex.lastRelativeOffset >= Math.max(1, result.nextOffset - options.baseOffset)) {
    return null;
  }
  const state = { fd, sizeBytes: fileBytes, nextOffset: result.nextOffset, indexer };
  const segment = new Segment(options.baseOffset, options.dir, options.indexIntervalBytes, state);
  return { segment, recovered: false, truncatedBytes: 0, stop: 'end', indexesRebuilt: false };
}

/** Cheap check that the last index entry points at the batch it claims. */
function batchStartsAt(fd: number, position: number, baseOffset: number): boolean {
  const header = Buffer.allocUnsafe(batchHeaderBytes);
  if (readAt(fd, header, position) !== batchHeaderBytes) return false;
  return batchMagic(header, 0) === magicV2 && batchBaseOffset(header, 0) === baseOffset;
}
