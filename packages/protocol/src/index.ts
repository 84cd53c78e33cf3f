export { DecodeError } from './wire/decode-error.js';
export { Reader } from './wire/reader.js';
export { Writer } from './wire/writer.js';
export type * from './schema/types.js';
export {
  ApiKey,
  apis,
  getApi,
  isFlexibleVersion,
  isSupportedVersion,
  type RequestFor,
  type RequestInputFor,
  type ResponseFor,
  type ResponseInputFor,
} from './codec/registry.js';
export { decodeRequestHeader, type RequestHeader, type RequestHeaderInput } from './codec/headers.js';
export { decodeRequest, decodeResponse, encodeRequest, encodeResponse, encodeResponseChunks } from './codec/frames.js';
export * from './messages/index.js';
export { ErrorCode, errorInfo, type ErrorInfo } from './errors.js';
export {
  BatchField,
  batchHeaderBytes,
  batchLengthMin,
  batchLengthPrefixBytes,
  CompressionCodec,
  compressionMask,
  controlBit,
  crcStart,
  magicV2,
  timestampTypeBit,
  transactionalBit,
  type CompressionName,
} from './records/layout.js';
export {
  batchSizeOf,
  computeBatchCrc,
  readBatchHeader,
  setBaseOffset,
  setPartitionLeaderEpoch,
  verifyBatchCrc,
  type BatchHeader,
} from './records/batch-header.js';
export { validateBatches, type BatchValidation, type ValidateOptions, type ValidatedBatch } from './records/validate.js';
export { scanBatches, type ScanEnd, type ScannedBatch } from './records/scan.js';
export type { BatchProblem } from './records/check-batch.js';
export { UnsupportedCompressionError } from './records/compression.js';
export {
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  type DecodedRecord,
  type RecordBatchInput,
  type RecordHeaderInput,
  type RecordInput,
} from './records/record-codec.js';
