import { gunzipSync, gzipSync } from 'node:zlib';
import { decompressedBatchBytesMax } from '../limits.js';
import { DecodeError } from '../wire/decode-error.js';
import { CompressionCodec, type CompressionName } from './layout.js';

/** A batch compressed with a codec this package does not implement (snappy, lz4, zstd). */
export class UnsupportedCompressionError extends DecodeError {
  override readonly name = 'UnsupportedCompressionError';

  constructor(readonly codec: number) {
    super(`unsupported compression codec ${codec}`);
  }
}

export function compress(codec: CompressionName, data: Buffer): Buffer {
  if (codec === 'none') return data;
  if (codec === 'gzip') return gzipSync(data);
  throw new UnsupportedCompressionError(CompressionCodec[codec]);
}

/** Inflates a batch's records; bounded, so a compression bomb fails instead of filling memory. */
export function decompress(codec: number, data: Buffer): Buffer {
  if (codec === CompressionCodec.none) return data;
  if (codec !== CompressionCodec.gzip) throw new UnsupportedCompressionError(codec);
  try {
    return gunzipSync(data, { maxOutputLength: decompressedBatchBytesMax });
  } catch (error) {
    throw new DecodeError(`gzip records do not inflate: ${(error as Error).message}`);
  }
}
