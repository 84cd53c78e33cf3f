import { batchHeaderBytes, batchSizeOf, controlBit, readBatchHeader, type BatchHeader } from '@rill/protocol';
import type { Log } from '@rill/storage';
import type { Logger } from 'pino';
import { ProducerStateTable, type ProducerBatch, type ProducerVerdict } from './producer-state.js';
import {
  deleteProducerSnapshots,
  listProducerSnapshots,
  readProducerSnapshot,
  writeProducerSnapshot,
} from './producer-state-snapshot.js';

export interface ProducerStateOptions {
  /** Producers one partition remembers (limits.ts producersPerPartitionMax). */
  readonly producersMax: number;
  /** How many of the newest snapshots stay on disk. */
  readonly snapshotsRetained: number;
  readonly logger: Logger;
}

/** How the state was rebuilt: from which snapshot, and how many batches were read after it. */
export interface ProducerStateLoad {
  readonly snapshotOffset: number | null;
  readonly batchesRead: number;
}

/** Bytes read per step while replaying batch headers from the log. */
const replayReadBytes = 1024 * 1024;

/**
 * The producer state of one partition replica kept in step with its log: rebuilt on open
 * from the newest snapshot at or below the log end plus the batch headers after it, fed
 * every append, rebuilt the same way after a truncation, and snapshotted when a segment
 * rolls and on a clean close, so a restart reads little of the log.
 */
export class ProducerStateManager {
  readonly #log: Log;
  readonly #options: ProducerStateOptions;
  #table: ProducerStateTable;
  #segmentCount: number;

  private constructor(log: Log, options: ProducerStateOptions) {
    this.#log = log;
    this.#options = options;
    this.#table = new ProducerStateTable({ producersMax: options.producersMax });
    this.#segmentCount = log.segmentCount;
  }

  /** Opens the state of an opened log; writes a snapshot when the log had to be replayed. */
  static load(log: Log, options: ProducerStateOptions): { state: ProducerStateManager; load: ProducerStateLoad } {
    const state = new ProducerStateManager(log, options);
    const load = state.#rebuild();
    if (load.batchesRead > 0) state.snapshot();
    return { state, load };
  }

  get table(): ProducerStateTable {
    return this.#table;
  }

  get size(): number {
    return this.#table.size;
  }

  /** The leader's verdict on a client batch (see ProducerStateTable.check). */
  check(batch: ProducerBatch): ProducerVerdict {
    return this.#table.check(batch);
  }

  /** After an append of `records`: their headers now carry the offsets the log assigned. */
  appended(records: Buffer): void {
    for (const header of batchHeadersIn(records)) this.#apply(header);
    this.#snapshotOnRoll();
  }

  /** After the log was cut back (a follower's divergent tail): forget what lay above its end. */
  truncated(): void {
    this.#rebuild();
    this.#segmentCount = this.#log.segmentCount;
  }

  /** After the log restarted empty at a new offset: nothing of the old state holds. */
  restarted(): void {
    deleteProducerSnapshots(this.#log.dir, () => true);
    this.#table.clear();
    this.#segmentCount = this.#log.segmentCount;
  }

  /** Producers idle past producer.id.expiration.ms are forgotten; returns how many. */
  expire(nowMs: number, expirationMs: number): number {
    return this.#table.expire(nowMs, expirationMs);
  }

  /** Writes the state as of the log end and drops all but the newest snapshots. */
  snapshot(): void {
    const dir = this.#log.dir;
    const end = this.#log.logEndOffset;
    try {
      writeProducerSnapshot(dir, end, this.#table.entries());
      const kept = new Set(listProducerSnapshots(dir).slice(-this.#options.snapshotsRetained));
      deleteProducerSnapshots(dir, (offset) => !kept.has(offset));
    } catch (error) {
      // The log holds the truth; without the snapshot a restart only reads more of it.
      this.#options.logger.warn({ err: error, partition: this.#log.topicPartition, offset: end }, 'could not write a producer state snapshot');
    }
  }

  #apply(header: BatchHeader): void {
    if (header.producerId < 0 || (header.attributes & controlBit) !== 0) return;
    this.#table.apply(header, header.baseOffset);
  }

  #snapshotOnRoll(): void {
    const count = this.#log.segmentCount;
    const rolled = count > this.#segmentCount;
    this.#segmentCount = count;
    if (rolled) this.snapshot();
  }

  /**
   * State from the newest readable snapshot at or below the log end (those above it describe
   * a tail the log lost), then every batch header after it; from the log start without one.
   */
  #rebuild(): ProducerStateLoad {
    const dir = this.#log.dir;
    const end = this.#log.logEndOffset;
    deleteProducerSnapshots(dir, (offset) => offset > end);
    const { producersMax } = this.#options;
    for (const offset of listProducerSnapshots(dir).reverse()) {
      const entries = readProducerSnapshot(dir, offset);
      if (entries === null) continue;
      this.#table = new ProducerStateTable({ producersMax, entries });
      return { snapshotOffset: offset, batchesRead: this.#replayFrom(offset) };
    }
    this.#table = new ProducerStateTable({ producersMax });
    return { snapshotOffset: null, batchesRead: this.#replayFrom(this.#log.logStartOffset) };
  }

  #replayFrom(fromOffset: number): number {
    let batches = 0;
    let offset = Math.max(fromOffset, this.#log.logStartOffset);
    while (offset < this.#log.logEndOffset) {
      const read = this.#log.read(offset, { maxBytes: replayReadBytes });
      if (read.kind !== 'records' || read.nextOffset <= offset) break;
      for (const header of batchHeadersIn(read.records)) {
        if (header.baseOffset < offset) continue;
        this.#apply(header);
        batches++;
      }
      offset = read.nextOffset;
    }
    return batches;
  }
}

/** Headers of the whole batches in `records` (already validated: by the leader, or by the log). */
export function* batchHeadersIn(records: Buffer): Generator<BatchHeader> {
  let pos = 0;
  while (records.length - pos >= batchHeaderBytes) {
    const header = readBatchHeader(records, pos);
    const size = batchSizeOf(header);
    if (size < batchHeaderBytes || pos + size > records.length) return;
    yield header;
    pos += size;
  }
}
