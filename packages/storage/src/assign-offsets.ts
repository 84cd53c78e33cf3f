/**
 * Walks the batches of an append request. Per batch, never per record: the header carries
 * everything (lastOffsetDelta, recordCount, maxTimestamp), so records are never decoded.
 */
import { assert } from '@rill/base';
import {
  batchBaseOffset,
  batchHeaderBytes,
  batchLastOffsetDelta,
  batchMagic,
  batchMaxTimestamp,
  batchRecordCount,
  batchSizeBytes,
  magicV2,
  setBatchBaseOffset,
  setBatchPartitionLeaderEpoch,
} from './batch-header.js';
import type { IndexedBatch } from './segment-indexer.js';

export interface BatchesSummary {
  lastOffset: number;
  recordCount: number;
  /** Largest batch maxTimestamp, -1 (Kafka's NO_TIMESTAMP) if none is set. */
  maxTimestamp: number;
  batchCount: number;
}

/**
 * Leader append: rewrites baseOffset and partitionLeaderEpoch of every batch in place
 * (both outside the CRC). The broker has validated the batches, so a malformed buffer here
 * is a bug in the caller, hence assertions rather than errors.
 */
export function assignOffsets(
  records: Buffer,
  options: { baseOffset: number; leaderEpoch: number },
): BatchesSummary {
  let next = options.baseOffset;
  return walkBatches(records, (at) => {
    setBatchBaseOffset(records, at, next);
    setBatchPartitionLeaderEpoch(records, at, options.leaderEpoch);
    next += batchLastOffsetDelta(records, at) + 1;
  });
}

/**
 * Follower append: batches keep the leader's offsets, which must continue the log exactly.
 * Returns null when they do not (the replication layer must truncate or refetch).
 */
export function checkContiguous(records: Buffer, baseOffset: number): BatchesSummary | null {
  let next = baseOffset;
  let contiguous = true;
  const summary = walkBatches(records, (at) => {
    if (batchBaseOffset(records, at) !== next) contiguous = false;
    next = batchBaseOffset(records, at) + batchLastOffsetDelta(records, at) + 1;
  });
  return contiguous ? summary : null;
}

/** Calls `visit` with each batch's position in `records` written at `startPosition`. */
export function forEachWrittenBatch(
  records: Buffer,
  startPosition: number,
  visit: (batch: IndexedBatch) => void,
): void {
  for (let at = 0; at < records.length; ) {
    const sizeBytes = batchSizeBytes(records, at);
    const baseOffset = batchBaseOffset(records, at);
    const maxTimestamp = batchMaxTimestamp(records, at);
    visit({ position: startPosition + at, sizeBytes, baseOffset, maxTimestamp });
    at += sizeBytes;
  }
}

function walkBatches(records: Buffer, visit: (at: number) => void): BatchesSummary {
  const summary: BatchesSummary = {
    lastOffset: -1,
    recordCount: 0,
    maxTimestamp: -1,
    batchCount: 0,
  };
  for (let at = 0; at < records.length; ) {
    assert(records.length - at >= batchHeaderBytes, 'append: truncated batch header');
    const sizeBytes = batchSizeBytes(records, at);
    assert(sizeBytes >= batchHeaderBytes, 'append: batchLength below the header size');
    assert(at + sizeBytes <= records.length, 'append: batch runs past the buffer');
    assert(batchMagic(records, at) === magicV2, 'append: only magic 2 is stored');
    assert(batchLastOffsetDelta(records, at) >= 0, 'append: negative lastOffsetDelta');
    visit(at);
    summary.lastOffset = batchBaseOffset(records, at) + batchLastOffsetDelta(records, at);
    summary.recordCount += batchRecordCount(records, at);
    summary.maxTimestamp = Math.max(summary.maxTimestamp, batchMaxTimestamp(records, at));
    summary.batchCount += 1;
    at += sizeBytes;
  }
  assert(summary.batchCount > 0, 'append: no batches');
  return summary;
}
