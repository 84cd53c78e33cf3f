/**
 * The partition log: an ordered list of segments, the last one active. Offsets are dense;
 * the log spans [logStartOffset, logEndOffset). Appends and reads are synchronous (page
 * cache, see file-io.ts); flushes run on libuv's pool and are serialised on one chain.
 */
import fs from 'node:fs';
import { assert, type Clock, systemClock } from '@rill/base';
import { type BatchesSummary, assignOffsets, checkContiguous } from './assign-offsets.js';
import { writeCleanShutdownMarker, writeRecoveryPoint } from './checkpoint.js';
import { type LogConfig, validateLogConfig } from './config.js';
import { StorageError, storageErrorFrom } from './errors.js';
import { fsyncDirectory } from './file-io.js';
import { type RecoveryReport, loadLog } from './log-loader.js';
import { segmentsToDelete } from './retention.js';
import { Segment } from './segment.js';

export interface LogOpenOptions {
  dir: string;
  config: LogConfig;
  clock?: Clock;
  /** For error messages only, e.g. "orders-3". */
  topicPartition?: string;
}

export interface AppendInfo {
  baseOffset: number;
  lastOffset: number;
  recordCount: number;
  /** Largest batch maxTimestamp in the append, -1 if none. */
  maxTimestamp: number;
  sizeBytes: number;
}

export interface LogReadOptions {
  readonly maxBytes: number;
  readonly upTo?: number;
  /** Whether a first batch larger than maxBytes comes whole (default) or not at all. */
  readonly minOneBatch?: boolean;
  readonly allocate?: (bytes: number) => Buffer;
}

export type ReadResult =
  | {
      kind: 'records';
      /** Whole batches, possibly none; a view of the one buffer the read filled. */
      records: Buffer;
      /** Base offset of the first batch returned (may be below the requested offset). */
      firstOffset: number;
      /** Offset to read next: after the last batch returned, or the requested one. */
      nextOffset: number;
    }
  | { kind: 'outOfRange'; logStartOffset: number; logEndOffset: number };

export class Log {
  readonly dir: string;
  #config: LogConfig;
  readonly topicPartition: string;
  /** What opening found and repaired, for the broker to log. */
  readonly recovery: RecoveryReport;
  readonly #clock: Clock;
  readonly #segments: Segment[];
  #recoveryPoint: number;
  #unflushedMessages = 0;
  #lastFlushMs: number;
  /** Lowest offset truncated to while a flush runs; that flush must not checkpoint above. */
  #truncationFloor = Infinity;
  #directoryDirty = false;
  #chain: Promise<void> = Promise.resolve();
  #queuedFlush: Promise<void> | null = null;
  /** Set by an I/O error we cannot undo (fsync, EIO): no more writes, reads still work. */
  #failure: StorageError | null = null;
  #closed = false;

  private constructor(
    options: LogOpenOptions,
    segments: Segment[],
    recoveryPoint: number,
    recovery: RecoveryReport,
  ) {
    this.dir = options.dir;
    this.#config = Object.freeze({ ...options.config });
    this.topicPartition = options.topicPartition ?? options.dir;
    this.recovery = recovery;
    this.#clock = options.clock ?? systemClock;
    this.#segments = segments;
    this.#recoveryPoint = recoveryPoint;
    this.#lastFlushMs = this.#clock.nowMs();
    const active = this.#active;
    if (!active.isEmpty) active.firstAppendMs = this.#lastFlushMs;
  }

  /** Opens (creating if missing) and recovers a partition directory. */
  static async open(options: LogOpenOptions): Promise<Log> {
    validateLogConfig(options.config);
    const loaded = await loadLog(options.dir, options.config);
    return new Log(options, loaded.segments, loaded.recoveryPoint, loaded.report);
  }

  /** The settings in force; replaced whole by updateConfig. */
  get config(): LogConfig {
    return this.#config;
  }

  /**
   * Takes new settings (a topic's configs changed): the next append, roll, retention run
   * and flush check use them. Segments already written keep their index interval. An
   * invalid config throws StorageError 'invalid_config' and changes nothing.
   */
  updateConfig(config: LogConfig): void {
    validateLogConfig(config);
    this.#config = Object.freeze({ ...config });
  }

  get logStartOffset(): number {
    return this.#segments[0].baseOffset;
  }

  get logEndOffset(): number {
    return this.#active.nextOffset;
  }

  get sizeBytes(): number {
    let total = 0;
    for (const segment of this.#segments) total += segment.sizeBytes;
    return total;
  }

  get segmentCount(): number {
    return this.#segments.length;
  }

  /** Everything below this offset has been fsynced and checkpointed. */
  get recoveryPoint(): number {
    return this.#recoveryPoint;
  }

  /** The error that stopped writes, if any (the broker should stop leading this log). */
  get failure(): StorageError | null {
    return this.#failure;
  }

  get #active(): Segment {
    return this.#segments[this.#segments.length - 1];
  }

  /**
   * Leader append of whole, validated v2 batches: assigns offsets by rewriting baseOffset
   * and partitionLeaderEpoch in place, then one write. Throws StorageError (disk_full, io,
   * read_only, record_too_large, log_failed); after a failed write nothing of it remains.
   */
  append(records: Buffer, options: { leaderEpoch: number }): AppendInfo {
    this.#checkWritable(records);
    const baseOffset = this.logEndOffset;
    const summary = assignOffsets(records, { baseOffset, leaderEpoch: options.leaderEpoch });
    return this.#write(records, baseOffset, summary);
  }

  /**
   * Follower append: batches already carry the leader's offsets and epochs and are written
   * verbatim. Returns null, writing nothing, unless they start exactly at logEndOffset.
   */
  appendAsFollower(records: Buffer): AppendInfo | null {
    this.#checkWritable(records);
    const baseOffset = this.logEndOffset;
    const summary = checkContiguous(records, baseOffset);
    if (summary === null) return null;
    return this.#write(records, baseOffset, summary);
  }

  #checkWritable(records: Buffer): void {
    assert(!this.#closed, `${this.topicPartition}: append after close`);
    if (this.#failure !== null) throw this.#failure;
    if (records.length > this.config.segmentBytes) {
      const message = `${records.length} bytes exceed segment.bytes ${this.config.segmentBytes}`;
      throw new StorageError('record_too_large', message);
    }
  }

  #write(records: Buffer, baseOffset: number, summary: BatchesSummary): AppendInfo {
    const nowMs = this.#clock.nowMs();
    const segment = this.#maybeRoll(records.length, summary.lastOffset, nowMs);
    try {
      segment.append(records, summary.lastOffset);
    } catch (error) {
      const storageError = storageErrorFrom(error, `${this.topicPartition}: append`);
      if (storageError.code === 'io' || storageError.code === 'log_failed') {
        this.#failure = storageError;
      }
      throw storageError;
    }
    segment.firstAppendMs ??= nowMs;
    this.#unflushedMessages += summary.recordCount;
    if (this.#flushDue(nowMs)) this.flush().catch(() => undefined);
    const { lastOffset, recordCount, maxTimestamp } = summary;
    return { baseOffset, lastOffset, recordCount, maxTimestamp, sizeBytes: records.length };
  }

  /** Rolls when the active segment is full (bytes, index, relative offsets) or too old. */
  #maybeRoll(bytes: number, lastOffset: number, nowMs: number): Segment {
    const active = this.#active;
    if (active.isEmpty) return active;
    const full = active.sizeBytes + bytes > this.config.segmentBytes;
    const ageMs = active.firstAppendMs === null ? 0 : nowMs - active.firstAppendMs;
    const old = ageMs >= this.config.segmentMs;
    if (!full && !old && !active.indexIsFull && !active.cannotHold(lastOffset)) return active;
    try {
      active.persistIndexes();
      const segment = Segment.create(this.dir, this.logEndOffset, this.config.indexIntervalBytes);
      this.#segments.push(segment);
    } catch (error) {
      throw storageErrorFrom(error, `${this.topicPartition}: roll`);
    }
    this.#directoryDirty = true;
    return this.#active;
  }

  /**
   * Whole batches from the one containing `offset`: at most maxBytes, except that a first
   * batch larger than that comes whole (KIP-74), or with `minOneBatch: false` not at all;
   * never a byte of a batch whose last offset is >= upTo (the high watermark; default
   * logEndOffset). A read stays within one segment. The bytes land in a buffer from
   * `allocate` (default: a new one), so a caller may reuse buffers.
   */
  read(offset: number, options: LogReadOptions): ReadResult {
    assert(!this.#closed, `${this.topicPartition}: read after close`);
    const logStartOffset = this.logStartOffset;
    const logEndOffset = this.logEndOffset;
    if (offset < logStartOffset || offset > logEndOffset) {
      return { kind: 'outOfRange', logStartOffset, logEndOffset };
    }
    const bound = Math.min(options.upTo ?? logEndOffset, logEndOffset);
    if (offset >= bound) {
      return { kind: 'records', records: Buffer.alloc(0), firstOffset: offset, nextOffset: offset };
    }
    const read = this.#segmentFor(offset).read(offset, {
      maxBytes: options.maxBytes,
      bound,
      minOneBatch: options.minOneBatch ?? true,
      allocate: options.allocate ?? Buffer.allocUnsafe,
    });
    assert(read !== null, 'an offset inside the log lies inside its segment');
    return { kind: 'records', ...read };
  }

  #segmentFor(offset: number): Segment {
    let low = 0;
    let high = this.#segments.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.#segments[mid].baseOffset <= offset) low = mid;
      else high = mid - 1;
    }
    return this.#segments[low];
  }

  /** ListOffsets: base offset of the first batch whose maxTimestamp >= timestampMs. */
  offsetForTimestamp(timestampMs: number): number | null {
    for (const segment of this.#segments) {
      const batch = segment.findByTimestamp(timestampMs);
      if (batch !== null) return batch.baseOffset;
    }
    return null;
  }

  /**
   * Follower truncation: drops every batch with an offset >= `offset`. A batch is never
   * split, so if `offset` falls inside one the log ends at that batch's base offset. Below
   * logStartOffset the log is emptied and restarts at `offset`. Returns logEndOffset.
   */
  truncateTo(offset: number): number {
    assert(!this.#closed, `${this.topicPartition}: truncate after close`);
    if (this.#failure !== null) throw this.#failure;
    if (offset >= this.logEndOffset) return this.logEndOffset;
    if (offset <= this.logStartOffset) return this.truncateFullyAndStartAt(offset);
    while (this.#active.baseOffset > offset) {
      const removed = this.#segments.pop();
      removed?.deleteFiles();
    }
    try {
      this.#active.truncateTo(offset);
    } catch (error) {
      this.#failure = storageErrorFrom(error, `${this.topicPartition}: truncate`);
      throw this.#failure;
    }
    if (this.#active.isEmpty) this.#active.firstAppendMs = null;
    this.#lowerRecoveryPoint(this.logEndOffset);
    return this.logEndOffset;
  }

  /**
   * Empties the log and restarts it at `offset`: a follower whose whole log lies below the
   * leader's log start (retention deleted what it would need) starts over from there.
   */
  truncateFullyAndStartAt(offset: number): number {
    assert(!this.#closed, `${this.topicPartition}: truncate after close`);
    if (this.#failure !== null) throw this.#failure;
    for (const segment of this.#segments.splice(0)) segment.deleteFiles();
    try {
      this.#segments.push(Segment.create(this.dir, offset, this.config.indexIntervalBytes));
    } catch (error) {
      this.#failure = storageErrorFrom(error, `${this.topicPartition}: truncate`);
      throw this.#failure;
    }
    this.#directoryDirty = true;
    this.#lowerRecoveryPoint(offset);
    return offset;
  }

  /** The on-disk recovery point must never exceed the log: rewrite it on the flush chain. */
  #lowerRecoveryPoint(offset: number): void {
    this.#truncationFloor = Math.min(this.#truncationFloor, offset);
    this.#recoveryPoint = Math.min(this.#recoveryPoint, offset);
    const run = this.#chain.then(() => writeRecoveryPoint(this.dir, this.#recoveryPoint));
    this.#chain = run.catch((error: unknown) => {
      this.#failure ??= storageErrorFrom(error, `${this.topicPartition}: checkpoint`);
    });
  }

  /** Deletes whole old segments by time and size (never the active one). */
  applyRetention(nowMs: number = this.#clock.wallMs()): { deletedSegments: number } {
    assert(!this.#closed, `${this.topicPartition}: retention after close`);
    const count = segmentsToDelete(this.#segments, this.config, nowMs);
    for (const segment of this.#segments.splice(0, count)) segment.deleteFiles();
    return { deletedSegments: count };
  }

  #flushDue(nowMs: number): boolean {
    if (this.#unflushedMessages >= this.config.flushIntervalMessages) return true;
    return this.#unflushedMessages > 0 && nowMs - this.#lastFlushMs >= this.config.flushIntervalMs;
  }

  /** For a periodic timer in the broker: flushes if log.flush.interval.* says so. */
  maybeFlush(nowMs: number = this.#clock.nowMs()): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#flushDue(nowMs) ? this.flush() : Promise.resolve();
  }

  /**
   * fdatasyncs every segment with unflushed data (and its indexes), then checkpoints the
   * recovery point. Concurrent calls share one queued flush. Any failure is fatal for the
   * log (after a failed fsync the kernel may have dropped the pages: never retry).
   */
  flush(): Promise<void> {
    // close() flushed already; a late timer in the broker must not touch closed files.
    if (this.#closed) return Promise.resolve();
    if (this.#queuedFlush !== null) return this.#queuedFlush;
    const run = this.#chain.then(() => {
      this.#queuedFlush = null;
      return this.#flushOnce();
    });
    this.#queuedFlush = run;
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #flushOnce(): Promise<void> {
    if (this.#failure !== null) throw this.#failure;
    const target = this.logEndOffset;
    const segments = this.#segments.filter(
      (segment) =>
        segment.nextOffset > this.#recoveryPoint ||
        segment === this.#active ||
        segment.hasUnpersistedIndexes,
    );
    this.#unflushedMessages = 0;
    this.#lastFlushMs = this.#clock.nowMs();
    this.#truncationFloor = Infinity;
    try {
      for (const segment of segments) segment.persistIndexes();
      await Promise.all(segments.map((segment) => segment.sync()));
      if (this.#directoryDirty) {
        this.#directoryDirty = false;
        await fsyncDirectory(this.dir);
      }
      const point = Math.min(target, this.#truncationFloor);
      await writeRecoveryPoint(this.dir, point);
      this.#recoveryPoint = Math.min(point, this.#truncationFloor);
    } catch (error) {
      this.#failure ??= storageErrorFrom(error, `${this.topicPartition}: flush`);
      throw this.#failure;
    }
  }

  /** Flushes, closes the files and, if all went well, marks the shutdown clean. */
  async close(): Promise<void> {
    if (this.#closed) return;
    let flushError: unknown = null;
    try {
      await this.flush();
      await this.#chain;
    } catch (error) {
      flushError = error;
    }
    this.#closed = true;
    for (const segment of this.#segments) segment.close();
    if (flushError !== null) throw flushError;
    await writeCleanShutdownMarker(this.dir);
  }

  /** Closes without flushing and removes the partition directory. */
  async delete(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const segment of this.#segments) segment.close();
    }
    await this.#chain;
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}
