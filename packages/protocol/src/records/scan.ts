import type { BatchHeader } from './batch-header.js';
import { checkBatchAt, type BatchProblem } from './check-batch.js';

export interface ScannedBatch {
  readonly pos: number;
  readonly size: number;
  /** pos + size: the log is valid up to here once this batch is accepted. */
  readonly end: number;
  readonly header: BatchHeader;
}

export interface ScanEnd {
  /** Bytes from the start of `buf` that hold whole, valid batches. */
  readonly validBytes: number;
  /** Why the scan stopped: clean end of data, or the problem of the first bad batch. */
  readonly stop: 'end' | BatchProblem;
}

/**
 * Yields each whole, CRC-valid batch from the start of `buf` and stops at the first torn
 * or invalid one; the generator's return value says how many bytes were valid. Used by log
 * recovery, so it checks structure only (compacted batches may have offset gaps).
 */
export function* scanBatches(buf: Buffer): Generator<ScannedBatch, ScanEnd, void> {
  let pos = 0;
  while (pos < buf.length) {
    const check = checkBatchAt(buf, pos);
    if (!check.ok) return { validBytes: pos, stop: check.problem };
    const end = pos + check.size;
    yield { pos, size: check.size, end, header: check.header };
    pos = end;
  }
  return { validBytes: pos, stop: 'end' };
}
