/**
 * Test-only: valid RecordBatch v2 buffers (uncompressed, null keys) built with
 * @rill/protocol's producer-side encoder, so storage tests append real batches.
 */
import { encodeRecordBatch } from '@rill/protocol';

export interface BatchSpec {
  values: readonly Buffer[];
  /** Timestamp of the first record; record i gets baseTimestamp + i * timestampStepMs. */
  baseTimestamp?: number;
  timestampStepMs?: number;
}

export function buildBatch(spec: BatchSpec): Buffer {
  const baseTimestamp = spec.baseTimestamp ?? 1_700_000_000_000;
  const step = spec.timestampStepMs ?? 0;
  return encodeRecordBatch({
    records: spec.values.map((value, i) => ({ key: null, value, timestamp: baseTimestamp + i * step })),
  });
}

/** `count` records of `valueBytes` each, filled with a byte derived from `seed`. */
export function buildBatchOf(
  count: number,
  valueBytes: number,
  seed = 1,
  timestamps: { baseTimestamp?: number; timestampStepMs?: number } = {},
): Buffer {
  const values = Array.from({ length: count }, (_, i) => Buffer.alloc(valueBytes, (seed * 31 + i) & 0xff));
  return buildBatch({ values, ...timestamps });
}
