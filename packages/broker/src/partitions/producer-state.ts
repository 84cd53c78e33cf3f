import { ErrorCode } from '@rill/protocol';

/**
 * What the idempotent producer rules read from one batch header. Sequences number records:
 * the batch holds baseSequence .. baseSequence + lastOffsetDelta (wrapping past Int32 max).
 */
export interface ProducerBatch {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly lastOffsetDelta: number;
  readonly maxTimestamp: number;
}

/** One appended batch of a producer: its sequence range and where it went in the log. */
export interface BatchPlacement {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

/** A producer's state on one partition (Kafka's ProducerStateEntry without transactions). */
export interface ProducerEntry {
  readonly producerId: number;
  readonly producerEpoch: number;
  /** Its latest batches, oldest first; at most batchesRetained. */
  readonly batches: readonly BatchPlacement[];
  /** maxTimestamp of its latest batch: what producer.id.expiration.ms is measured from. */
  readonly lastTimestamp: number;
}

/** What a leader does with a producer's batch before appending it. */
export type ProducerVerdict =
  | { readonly kind: 'append' }
  /** A retry of a batch still among the producer's latest: answer with its offsets, append nothing. */
  | { readonly kind: 'duplicate'; readonly firstOffset: number; readonly lastOffset: number }
  | { readonly kind: 'refuse'; readonly errorCode: ErrorCode; readonly reason: string };

/** Kafka keeps this many batches per producer to recognise retries (ProducerStateEntry). */
export const batchesRetained = 5;

const int32Max = 0x7fffffff;
const noEpoch = -1;
const appendVerdict: ProducerVerdict = { kind: 'append' };

/** The last sequence of a batch: Kafka's sequences wrap from Int32 max back to 0. */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  return baseSequence > int32Max - lastOffsetDelta ? lastOffsetDelta - (int32Max - baseSequence) - 1 : baseSequence + lastOffsetDelta;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === int32Max);
}

interface MutableEntry {
  producerEpoch: number;
  batches: BatchPlacement[];
  lastTimestamp: number;
}

/**
 * The idempotent producer state of one partition replica, as a pure table: the leader asks
 * it about each producer batch before appending (check), and every append, as leader or as
 * follower, feeds it the batch's header and offsets (apply), so whichever replica leads next
 * knows the same producers. Rules follow Kafka's ProducerAppendInfo for non-transactional
 * batches, KIP-360 included (an unknown producer may start at any sequence). Producers are
 * kept in the order they last appended, which is also the eviction order when the table is
 * full. No I/O and no clock: time comes in as arguments.
 */
export class ProducerStateTable {
  readonly #producers = new Map<number, MutableEntry>();
  readonly #producersMax: number;

  constructor(options: { producersMax: number; entries?: readonly ProducerEntry[] }) {
    this.#producersMax = Math.max(1, options.producersMax);
    for (const entry of options.entries ?? []) {
      if (entry.batches.length === 0) continue;
      this.#put(entry.producerId, {
        producerEpoch: entry.producerEpoch,
        batches: entry.batches.slice(-batchesRetained),
        lastTimestamp: entry.lastTimestamp,
      });
    }
  }

  /** Producers known on this partition. */
  get size(): number {
    return this.#producers.size;
  }

  entry(producerId: number): ProducerEntry | undefined {
    const entry = this.#producers.get(producerId);
    return entry === undefined ? undefined : freeze(producerId, entry);
  }

  /** Every producer, least recently appended first (the snapshot order). */
  entries(): ProducerEntry[] {
    return [...this.#producers].map(([producerId, entry]) => freeze(producerId, entry));
  }

  /**
   * Kafka's checks for a batch a client sent to the leader, in Kafka's order: a retry of one
   * of the producer's last five batches (same epoch, same sequence range) is a duplicate; an
   * older epoch is fenced (INVALID_PRODUCER_EPOCH); a newer epoch must start at sequence 0;
   * within an epoch the batch must follow the last one (OUT_OF_ORDER_SEQUENCE_NUMBER).
   * Changes nothing.
   */
  check(batch: ProducerBatch): ProducerVerdict {
    if (batch.producerId < 0) return appendVerdict;
    const entry = this.#producers.get(batch.producerId);
    if (entry === undefined) return appendVerdict;
    const lastSeq = lastSequenceOf(batch.baseSequence, batch.lastOffsetDelta);
    if (batch.producerEpoch === entry.producerEpoch) {
      const original = entry.batches.find((b) => b.firstSeq === batch.baseSequence && b.lastSeq === lastSeq);
      if (original !== undefined) return { kind: 'duplicate', firstOffset: original.firstOffset, lastOffset: original.lastOffset };
    }
    if (batch.producerEpoch < entry.producerEpoch) {
      return refuse(ErrorCode.INVALID_PRODUCER_EPOCH, `epoch ${batch.producerEpoch} of producer ${batch.producerId} is older than ${entry.producerEpoch}`);
    }
    if (batch.producerEpoch !== entry.producerEpoch) {
      if (batch.baseSequence === 0 || entry.producerEpoch === noEpoch) return appendVerdict;
      return refuse(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `new epoch ${batch.producerEpoch} of producer ${batch.producerId} starts at sequence ${batch.baseSequence}, not 0`);
    }
    const knownLastSeq = entry.batches[entry.batches.length - 1]?.lastSeq ?? -1;
    if (inSequence(knownLastSeq, batch.baseSequence)) return appendVerdict;
    return refuse(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${batch.producerId} sent sequence ${batch.baseSequence} after ${knownLastSeq}`);
  }

  /**
   * Records a batch the log now holds at `firstOffset` (a leader's append or a follower's
   * copy; the follower does not judge, as in Kafka). A new epoch forgets the old batches.
   * Returns the producer evicted to make room, if any.
   */
  apply(batch: ProducerBatch, firstOffset: number): number | null {
    if (batch.producerId < 0) return null;
    let entry = this.#producers.get(batch.producerId);
    let evicted: number | null = null;
    if (entry === undefined) {
      evicted = this.#makeRoom();
      entry = { producerEpoch: batch.producerEpoch, batches: [], lastTimestamp: batch.maxTimestamp };
    } else {
      this.#producers.delete(batch.producerId);
    }
    if (entry.producerEpoch !== batch.producerEpoch) {
      entry.producerEpoch = batch.producerEpoch;
      entry.batches = [];
    }
    entry.batches.push({
      firstSeq: batch.baseSequence,
      lastSeq: lastSequenceOf(batch.baseSequence, batch.lastOffsetDelta),
      firstOffset,
      lastOffset: firstOffset + batch.lastOffsetDelta,
    });
    if (entry.batches.length > batchesRetained) entry.batches.shift();
    entry.lastTimestamp = batch.maxTimestamp;
    this.#producers.set(batch.producerId, entry);
    return evicted;
  }

  /**
   * Forgets producers idle for `expirationMs` (producer.id.expiration.ms) by the timestamp
   * of their last batch, as Kafka does. Returns how many went.
   */
  expire(nowMs: number, expirationMs: number): number {
    let removed = 0;
    for (const [producerId, entry] of this.#producers) {
      if (nowMs - entry.lastTimestamp >= expirationMs) {
        this.#producers.delete(producerId);
        removed++;
      }
    }
    return removed;
  }

  clear(): void {
    this.#producers.clear();
  }

  /** Evicts the least recently appended producer when the table is full. */
  #makeRoom(): number | null {
    if (this.#producers.size < this.#producersMax) return null;
    const oldest = this.#producers.keys().next();
    if (oldest.done === true) return null;
    this.#producers.delete(oldest.value);
    return oldest.value;
  }

  #put(producerId: number, entry: MutableEntry): void {
    this.#producers.delete(producerId);
    this.#makeRoom();
    this.#producers.set(producerId, entry);
  }
}

function refuse(errorCode: ErrorCode, reason: string): ProducerVerdict {
  return { kind: 'refuse', errorCode, reason };
}

function freeze(producerId: number, entry: MutableEntry): ProducerEntry {
  return { producerId, producerEpoch: entry.producerEpoch, batches: [...entry.batches], lastTimestamp: entry.lastTimestamp };
}
