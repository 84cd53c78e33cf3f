import { ErrorCode } from '../errors.js';
import type { BatchHeader } from './batch-header.js';
import { checkBatchAt, type BatchProblem } from './check-batch.js';
import { BatchField, batchLengthPrefixBytes, compressionMask, CompressionCodec } from './layout.js';

export interface ValidatedBatch {
  readonly pos: number;
  readonly size: number;
  readonly header: BatchHeader;
}

export type BatchValidation =
  | {
      readonly ok: true;
      readonly batches: readonly ValidatedBatch[];
      readonly batchCount: number;
      readonly recordCount: number;
      /** baseTimestamp of the first batch, -1 if there is none. */
      readonly firstTimestamp: number;
      /** Largest maxTimestamp over the batches, -1 if there is none. */
      readonly maxTimestamp: number;
    }
  | { readonly ok: false; readonly error: ErrorCode; readonly reason: string };

export interface ValidateOptions {
  /** Largest batch accepted (a topic's max.message.bytes). */
  readonly maxBatchBytes: number;
}

/**
 * Kafka's error codes for structural problems. A non-v2 magic is INVALID_RECORD, as Kafka's
 * ProduceRequest validation answers; every other structural fault is CORRUPT_MESSAGE.
 */
const PROBLEM_CODE: Record<BatchProblem, ErrorCode> = {
  truncated: ErrorCode.CORRUPT_MESSAGE,
  'bad-length': ErrorCode.CORRUPT_MESSAGE,
  'bad-magic': ErrorCode.INVALID_RECORD,
  'bad-crc': ErrorCode.CORRUPT_MESSAGE,
  'bad-header': ErrorCode.CORRUPT_MESSAGE,
};

/**
 * Walks the records blob of one Produce partition without decoding records. The broker
 * must still require exactly one batch for Produce v3+ (INVALID_RECORD otherwise).
 */
export function validateBatches(records: Buffer, options: ValidateOptions): BatchValidation {
  const batches: ValidatedBatch[] = [];
  let recordCount = 0;
  let maxTimestamp = -1;
  for (let pos = 0; pos < records.length; ) {
    const tooLarge = oversize(records, pos, options.maxBatchBytes);
    if (tooLarge !== null) return { ok: false, error: ErrorCode.MESSAGE_TOO_LARGE, reason: tooLarge };
    const check = checkBatchAt(records, pos);
    if (!check.ok) return { ok: false, error: PROBLEM_CODE[check.problem], reason: `${check.problem} batch at ${pos}` };
    const fault = producerBatchFault(check.header);
    if (fault !== null) return { ok: false, ...fault, reason: `${fault.reason} (batch at ${pos})` };
    batches.push({ pos, size: check.size, header: check.header });
    recordCount += check.header.recordCount;
    maxTimestamp = Math.max(maxTimestamp, check.header.maxTimestamp);
    pos += check.size;
  }
  const firstTimestamp = batches.length > 0 ? batches[0]!.header.baseTimestamp : -1;
  return { ok: true, batches, batchCount: batches.length, recordCount, firstTimestamp, maxTimestamp };
}

/** Kafka (like us) rejects a batch larger than the limit before reading the rest of it. */
function oversize(records: Buffer, pos: number, maxBatchBytes: number): string | null {
  if (records.length - pos < batchLengthPrefixBytes) return null;
  const size = batchLengthPrefixBytes + records.readInt32BE(pos + BatchField.batchLength);
  return size > maxBatchBytes ? `batch of ${size} bytes exceeds ${maxBatchBytes}` : null;
}

/**
 * Rules for batches coming from a client (Kafka's LogValidator): the offset range must match
 * the record count — a producer batch has no compaction gaps — and the codec must exist.
 * Kafka raises InvalidRecordException for the count rules, so they answer INVALID_RECORD.
 */
function producerBatchFault(header: BatchHeader): { error: ErrorCode; reason: string } | null {
  if (header.recordCount <= 0 || header.lastOffsetDelta + 1 !== header.recordCount) {
    return {
      error: ErrorCode.INVALID_RECORD,
      reason: `record count ${header.recordCount} does not match lastOffsetDelta ${header.lastOffsetDelta}`,
    };
  }
  if ((header.attributes & compressionMask) > CompressionCodec.zstd) {
    return { error: ErrorCode.CORRUPT_MESSAGE, reason: `unknown compression codec in ${header.attributes}` };
  }
  return null;
}
