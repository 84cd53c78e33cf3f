import { gzip } from 'node:zlib';
import {
  BatchField,
  batchHeaderBytes,
  batchLengthPrefixBytes,
  CompressionCodec,
  computeBatchCrc,
  magicV2,
} from '@rill/protocol';
import {
  recordBodySize,
  recordSize,
  varintSize,
  writeRecord,
  type MeasuredRecord,
} from './record-writer.js';

export type Compression = 'none' | 'gzip';

/** Where a send() call's records landed in a batch; completes the call when the batch does. */
export interface BatchWaiter {
  readonly tracker: SendTracker;
  readonly firstOffsetDelta: number;
  count: number;
}

/** What send() resolves to: one entry per batch its records went into. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the first of these records; -1 with acks=0, which gets no answer. */
  readonly baseOffset: number;
  readonly recordCount: number;
}

/** Collects the outcome of one send() call across the batches it touched. */
export class SendTracker {
  readonly results: RecordMetadata[] = [];
  readonly promise: Promise<RecordMetadata[]>;
  #pending = 0;
  #appending = true;
  #settled = false;
  #resolve!: (results: RecordMetadata[]) => void;
  #reject!: (error: Error) => void;

  constructor() {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  addPart(): void {
    this.#pending++;
  }

  /** Called once every record of the call is in a batch; it may complete at once. */
  sealed(): void {
    this.#appending = false;
    this.#maybeResolve();
  }

  done(result: RecordMetadata): void {
    this.#pending--;
    this.results.push(result);
    this.#maybeResolve();
  }

  fail(error: Error): void {
    this.#pending--;
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }

  #maybeResolve(): void {
    if (this.#settled || this.#appending || this.#pending > 0) return;
    this.#settled = true;
    this.#resolve(this.results);
  }
}

/** The producer identity a sealed batch carries; -1s when not idempotent. */
export interface BatchIdentity {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

/**
 * One RecordBatch v2 under construction for one partition. Records are written straight
 * into a buffer that leaves room for the 61-byte header, which is filled in when the batch
 * is sealed for sending — after the sequence number is known, since the CRC covers it.
 */
export class ProducerBatch {
  readonly topic: string;
  readonly partition: number;
  readonly createdMs: number;
  /** Bytes of the shared buffer memory this batch holds until it completes. */
  readonly reservedBytes: number;
  readonly waiters: BatchWaiter[] = [];
  recordCount = 0;
  attempts = 0;
  retryAtMs = 0;
  baseSequence = -1;
  #buf: Buffer;
  #pos = batchHeaderBytes;
  #baseTimestamp = 0;
  #maxTimestamp = 0;
  #closed = false;
  #compression: Compression = 'none';
  #payload: Buffer | null = null;
  #sealed: { identity: BatchIdentity; bytes: Buffer } | null = null;
  /** Reused per append, so placing a record allocates nothing. */
  readonly #placement = { offsetDelta: 0, timestampDelta: 0, bodyBytes: 0 };

  /** `buffer` holds the records; its length is the batch's capacity and reservation. */
  constructor(args: { topic: string; partition: number; buffer: Buffer; nowMs: number }) {
    this.topic = args.topic;
    this.partition = args.partition;
    this.createdMs = args.nowMs;
    this.reservedBytes = args.buffer.length;
    this.#buf = args.buffer;
  }

  /** The records buffer, to give back to the pool once the batch completed. */
  get buffer(): Buffer {
    return this.#buf;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Closed and, if compressed, compression finished: ready to seal and send. */
  get sendable(): boolean {
    return this.#closed && this.#payload !== null;
  }

  get sizeBytes(): number {
    return this.#payload === null ? this.#pos : batchHeaderBytes + this.#payload.length;
  }

  /** Bytes a batch needs to hold `record` as its only record. */
  static capacityFor(record: MeasuredRecord): number {
    return batchHeaderBytes + recordSize(record, 0, 0);
  }

  /** Appends if it fits; returns the record's offset delta, or -1 if the batch is full. */
  tryAppend(record: MeasuredRecord): number {
    const offsetDelta = this.recordCount;
    if (offsetDelta === 0) {
      this.#baseTimestamp = record.timestamp;
      this.#maxTimestamp = record.timestamp;
    }
    const timestampDelta = record.timestamp - this.#baseTimestamp;
    const bodyBytes = recordBodySize(record, offsetDelta, timestampDelta);
    if (this.#closed || this.#pos + varintSize(bodyBytes) + bodyBytes > this.#buf.length) return -1;
    this.#placement.offsetDelta = offsetDelta;
    this.#placement.timestampDelta = timestampDelta;
    this.#placement.bodyBytes = bodyBytes;
    this.#pos = writeRecord(this.#buf, this.#pos, record, this.#placement);
    if (record.timestamp > this.#maxTimestamp) this.#maxTimestamp = record.timestamp;
    this.recordCount++;
    return offsetDelta;
  }

  /** No more records; compression (if any) starts and calls `onSendable` when done. */
  close(compression: Compression, onSendable: () => void): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#compression = compression;
    const records = this.#buf.subarray(batchHeaderBytes, this.#pos);
    if (compression === 'none') {
      this.#payload = records;
      return;
    }
    gzip(records, (error, compressed) => {
      // zlib failing on an in-memory buffer would be a Node bug; send uncompressed instead.
      this.#compression = error === null ? compression : 'none';
      this.#payload = error === null ? compressed : records;
      onSendable();
    });
  }

  /** The wire bytes for this identity; retries with the same identity reuse them. */
  seal(identity: BatchIdentity): Buffer {
    const cached = this.#sealed;
    if (cached !== null && sameIdentity(cached.identity, identity)) return cached.bytes;
    const payload = this.#payload!;
    const uncompressed = this.#compression === 'none';
    const size = batchHeaderBytes + payload.length;
    const out = uncompressed ? this.#buf : Buffer.allocUnsafe(size);
    if (!uncompressed) payload.copy(out, batchHeaderBytes);
    this.#writeHeader(out, size, identity);
    const bytes = out.subarray(0, size);
    this.#sealed = { identity, bytes };
    return bytes;
  }

  #writeHeader(out: Buffer, size: number, identity: BatchIdentity): void {
    out.writeUInt32BE(0, BatchField.baseOffset);
    out.writeUInt32BE(0, BatchField.baseOffset + 4);
    out.writeInt32BE(size - batchLengthPrefixBytes, BatchField.batchLength);
    // Producers send no leader epoch; the broker stamps its own.
    out.writeInt32BE(-1, BatchField.partitionLeaderEpoch);
    out.writeInt8(magicV2, BatchField.magic);
    out.writeInt16BE(CompressionCodec[this.#compression], BatchField.attributes);
    out.writeInt32BE(this.recordCount - 1, BatchField.lastOffsetDelta);
    writeInt64(out, BatchField.baseTimestamp, this.#baseTimestamp);
    writeInt64(out, BatchField.maxTimestamp, this.#maxTimestamp);
    writeInt64(out, BatchField.producerId, identity.producerId);
    out.writeInt16BE(identity.producerEpoch, BatchField.producerEpoch);
    out.writeInt32BE(identity.baseSequence, BatchField.baseSequence);
    out.writeInt32BE(this.recordCount, BatchField.recordCount);
    out.writeUInt32BE(computeBatchCrc(out, 0, size), BatchField.crc);
  }
}

function sameIdentity(a: BatchIdentity, b: BatchIdentity): boolean {
  return (
    a.producerId === b.producerId &&
    a.producerEpoch === b.producerEpoch &&
    a.baseSequence === b.baseSequence
  );
}

function writeInt64(buf: Buffer, pos: number, value: number): void {
  buf.writeBigInt64BE(BigInt(value), pos);
}
