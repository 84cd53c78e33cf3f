import { DecodeError } from '../wire/decode-error.js';
import { readBatchHeader, verifyBatchCrc, type BatchHeader } from './batch-header.js';
import { BatchField, batchHeaderBytes, batchLengthMin, batchLengthPrefixBytes, magicV2 } from './layout.js';

export type BatchProblem = 'truncated' | 'bad-length' | 'bad-magic' | 'bad-crc' | 'bad-header';

export type BatchCheck =
  | { readonly ok: true; readonly header: BatchHeader; readonly size: number }
  | { readonly ok: false; readonly problem: BatchProblem };

/**
 * Checks the structure of the batch at `pos`: header present, magic 2, a batchLength that
 * covers the header and fits in `buf`, a matching CRC and header values in range. The one
 * check shared by Produce validation and log recovery.
 */
export function checkBatchAt(buf: Buffer, pos: number): BatchCheck {
  const left = buf.length - pos;
  if (left < batchHeaderBytes) return { ok: false, problem: 'truncated' };
  if (buf.readInt8(pos + BatchField.magic) !== magicV2) return { ok: false, problem: 'bad-magic' };
  const batchLength = buf.readInt32BE(pos + BatchField.batchLength);
  if (batchLength < batchLengthMin) return { ok: false, problem: 'bad-length' };
  if (batchLength > left - batchLengthPrefixBytes) return { ok: false, problem: 'truncated' };
  if (!verifyBatchCrc(buf, pos)) return { ok: false, problem: 'bad-crc' };
  try {
    const header = readBatchHeader(buf, pos);
    return { ok: true, header, size: batchLengthPrefixBytes + batchLength };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, problem: 'bad-header' };
    throw error;
  }
}
