/**
 * Walks the batches of a segment file by their headers, reading a window at a time. Used by
 * recovery (with CRC checks: nothing unverified above the recovery point is ever served) and
 * by lookups (headers only, between a sparse-index entry and the target).
 */
import {
  batchBaseOffset,
  batchCrcMatches,
  batchHeaderBytes,
  batchLastOffsetDelta,
  batchMagic,
  batchMaxTimestamp,
  batchRecordCount,
  batchSizeBytes,
  magicV2,
} from './batch-header.js';
import { readAt } from './file-io.js';
import { batchBytesMax } from './limits.js';

export interface ScannedBatch {
  position: number;
  sizeBytes: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  recordCount: number;
}

/** Why a scan ended: `end` and `stopped` are clean, the rest mark the first invalid byte. */
export type ScanStop =
  | 'end'
  | 'stopped'
  | 'truncated'
  | 'bad_size'
  | 'bad_magic'
  | 'bad_offset'
  | 'bad_crc';

export interface ScanOptions {
  fd: number;
  start: number;
  /** Exclusive file position to stop at (the file's or segment's size). */
  end: number;
  windowBytes: number;
  verifyCrc: boolean;
  /** The first batch must start at this offset and each next one where the last ended. */
  expectedBaseOffset: number;
  /** Return false to stop the scan (`stop: 'stopped'`). */
  visit: (batch: ScannedBatch) => boolean;
}

export interface ScanResult {
  /** Position of the first byte not accepted (the end of the last visited batch). */
  position: number;
  /** Offset after the last visited batch. */
  nextOffset: number;
  stop: ScanStop;
}

export function scanBatches(options: ScanOptions): ScanResult {
  const { fd, end, verifyCrc, visit } = options;
  const window = new ScanWindow(fd, Math.max(options.windowBytes, batchHeaderBytes), end);
  let position = options.start;
  let expected = options.expectedBaseOffset;
  const result = (stop: ScanStop): ScanResult => ({ position, nextOffset: expected, stop });
  while (position < end) {
    if (end - position < batchHeaderBytes) return result('truncated');
    const at = window.ensure(position, batchHeaderBytes);
    if (at < 0) return result('truncated');
    const buf = window.buf;
    const sizeBytes = batchSizeBytes(buf, at);
    if (sizeBytes < batchHeaderBytes || sizeBytes > batchBytesMax) return result('bad_size');
    if (batchMagic(buf, at) !== magicV2) return result('bad_magic');
    if (position + sizeBytes > end) return result('truncated');
    const baseOffset = batchBaseOffset(buf, at);
    const lastOffsetDelta = batchLastOffsetDelta(buf, at);
    if (baseOffset !== expected || lastOffsetDelta < 0) return result('bad_offset');
    const batch: ScannedBatch = {
      position,
      sizeBytes,
      baseOffset,
      lastOffset: baseOffset + lastOffsetDelta,
      maxTimestamp: batchMaxTimestamp(buf, at),
      recordCount: batchRecordCount(buf, at),
    };
    if (verifyCrc && !window.crcMatches(position, sizeBytes)) return result('bad_crc');
    if (!visit(batch)) return result('stopped');
    position += sizeBytes;
    expected = batch.lastOffset + 1;
  }
  return result('end');
}

/** A reusable read buffer over [windowStart, windowStart + filled) of the file. */
class ScanWindow {
  buf: Buffer;
  #start = 0;
  #filled = 0;

  constructor(
    private readonly fd: number,
    windowBytes: number,
    private readonly end: number,
  ) {
    this.buf = Buffer.allocUnsafe(windowBytes);
  }

  /**
   * Makes [position, position + length) resident; returns its index in `buf`, or -1 when
   * the file ends first (it is shorter than the size we were told).
   */
  ensure(position: number, length: number): number {
    const inWindow = position >= this.#start && position + length <= this.#start + this.#filled;
    if (!inWindow) {
      const want = Math.min(this.buf.length, this.end - position);
      this.#filled = readAt(this.fd, this.buf, position, want);
      this.#start = position;
      if (this.#filled < length) return -1;
    }
    return position - this.#start;
  }

  crcMatches(position: number, sizeBytes: number): boolean {
    if (sizeBytes <= this.buf.length) {
      const at = this.ensure(position, sizeBytes);
      if (at < 0) return false;
      return batchCrcMatches(this.buf, at, sizeBytes);
    }
    const whole = Buffer.allocUnsafe(sizeBytes);
    if (readAt(this.fd, whole, position) !== sizeBytes) return false;
    return batchCrcMatches(whole, 0, sizeBytes);
  }
}
