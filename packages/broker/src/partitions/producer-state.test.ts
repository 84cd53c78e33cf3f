import { ErrorCode } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import { batchesRetained, lastSequenceOf, ProducerStateTable, type ProducerBatch } from './producer-state.js';
import { decodeProducerSnapshot, encodeProducerSnapshot } from './producer-state-snapshot.js';

const int32Max = 2 ** 31 - 1;

function batch(producerId: number, producerEpoch: number, baseSequence: number, records = 1, maxTimestamp = 1000): ProducerBatch {
  return { producerId, producerEpoch, baseSequence, lastOffsetDelta: records - 1, maxTimestamp };
}

/** A table where producer 7 (epoch 2) appended batches of `sizes` records from sequence 0, at offset 100 on. */
function tableWith(sizes: readonly number[]): ProducerStateTable {
  const table = new ProducerStateTable({ producersMax: 100 });
  let sequence = 0;
  let offset = 100;
  for (const size of sizes) {
    table.apply(batch(7, 2, sequence, size), offset);
    sequence += size;
    offset += size + 1;
  }
  return table;
}

describe('ProducerStateTable.check (Kafka ProducerAppendInfo, non-transactional)', () => {
  it('leaves non-idempotent batches (producer id -1) alone', () => {
    const table = tableWith([3]);
    expect(table.check(batch(-1, -1, -1))).toEqual({ kind: 'append' });
    table.apply(batch(-1, -1, -1), 500);
    expect(table.size).toBe(1);
  });

  it('accepts an unknown producer at sequence 0, and at any other sequence (KIP-360)', () => {
    const table = new ProducerStateTable({ producersMax: 10 });
    expect(table.check(batch(1, 0, 0))).toEqual({ kind: 'append' });
    expect(table.check(batch(1, 0, 4711))).toEqual({ kind: 'append' });
    expect(table.check(batch(1, 5, 4711))).toEqual({ kind: 'append' });
  });

  it('accepts the next sequence of the current epoch and refuses a gap or a step back', () => {
    const table = tableWith([3, 2]);
    expect(table.check(batch(7, 2, 5))).toEqual({ kind: 'append' });
    expect(table.check(batch(7, 2, 6))).toMatchObject({ kind: 'refuse', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(table.check(batch(7, 2, 4))).toMatchObject({ kind: 'refuse', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  it('answers a retry of one of the last five batches with its original offsets', () => {
    const table = tableWith([1, 2, 3, 4, 5, 6]);
    // Sequences 0 | 1-2 | 3-5 | 6-9 | 10-14 | 15-20 at offsets 100 | 102-103 | 105-107 | 109-112 | 114-118 | 120-125.
    expect(table.check(batch(7, 2, 15, 6))).toEqual({ kind: 'duplicate', firstOffset: 120, lastOffset: 125 });
    expect(table.check(batch(7, 2, 1, 2))).toEqual({ kind: 'duplicate', firstOffset: 102, lastOffset: 103 });
    expect(table.entry(7)?.batches).toHaveLength(batchesRetained);
    // The sixth batch back is forgotten: its retry is out of order, as in Kafka.
    expect(table.check(batch(7, 2, 0, 1))).toMatchObject({ kind: 'refuse', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  it('needs the exact sequence range for a duplicate', () => {
    const table = tableWith([3, 3]);
    expect(table.check(batch(7, 2, 3, 2))).toMatchObject({ kind: 'refuse', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(table.check(batch(7, 2, 3, 3))).toMatchObject({ kind: 'duplicate' });
  });

  it('fences an older epoch with INVALID_PRODUCER_EPOCH, even for a range it once wrote', () => {
    const table = tableWith([3]);
    expect(table.check(batch(7, 1, 3))).toMatchObject({ kind: 'refuse', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect(table.check(batch(7, 1, 0, 3))).toMatchObject({ kind: 'refuse', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
  });

  it('starts a newer epoch at sequence 0 only, and forgets the old epoch\'s batches', () => {
    const table = tableWith([3]);
    expect(table.check(batch(7, 3, 3))).toMatchObject({ kind: 'refuse', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(table.check(batch(7, 3, 0, 3))).toEqual({ kind: 'append' });
    table.apply(batch(7, 3, 0, 2), 200);
    expect(table.entry(7)).toMatchObject({ producerEpoch: 3, batches: [{ firstSeq: 0, lastSeq: 1, firstOffset: 200, lastOffset: 201 }] });
    expect(table.check(batch(7, 3, 2))).toEqual({ kind: 'append' });
    expect(table.check(batch(7, 2, 0, 3))).toMatchObject({ kind: 'refuse', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
  });

  it('wraps sequences from Int32 max to 0', () => {
    expect(lastSequenceOf(int32Max - 1, 0)).toBe(int32Max - 1);
    expect(lastSequenceOf(int32Max - 1, 1)).toBe(int32Max);
    expect(lastSequenceOf(int32Max - 1, 3)).toBe(1);
    const table = new ProducerStateTable({ producersMax: 10 });
    table.apply(batch(9, 0, int32Max - 1, 2), 0);
    expect(table.check(batch(9, 0, 0))).toEqual({ kind: 'append' });
    table.apply(batch(9, 0, int32Max, 3), 2);
    expect(table.entry(9)?.batches[1]).toEqual({ firstSeq: int32Max, lastSeq: 1, firstOffset: 2, lastOffset: 4 });
    expect(table.check(batch(9, 0, 2))).toEqual({ kind: 'append' });
    expect(table.check(batch(9, 0, int32Max, 3))).toEqual({ kind: 'duplicate', firstOffset: 2, lastOffset: 4 });
  });

  it('applies a follower\'s batches without judging them (the leader did), older epochs included', () => {
    const table = tableWith([3]);
    table.apply(batch(7, 1, 40), 300);
    expect(table.entry(7)).toMatchObject({ producerEpoch: 1, batches: [{ firstSeq: 40, firstOffset: 300 }] });
  });
});

describe('ProducerStateTable bounds and expiry', () => {
  it('forgets producers idle for producer.id.expiration.ms, by their last batch timestamp', () => {
    const table = new ProducerStateTable({ producersMax: 10 });
    table.apply(batch(1, 0, 0, 1, 1_000), 0);
    table.apply(batch(2, 0, 0, 1, 5_000), 1);
    expect(table.expire(10_999, 10_000)).toBe(0);
    expect(table.expire(11_000, 10_000)).toBe(1);
    expect(table.entries().map((e) => e.producerId)).toEqual([2]);
    // Forgotten means unknown: the producer may go on at any sequence (KIP-360).
    expect(table.check(batch(1, 0, 77))).toEqual({ kind: 'append' });
  });

  it('evicts the least recently appended producer when full', () => {
    const table = new ProducerStateTable({ producersMax: 2 });
    expect(table.apply(batch(1, 0, 0), 0)).toBeNull();
    expect(table.apply(batch(2, 0, 0), 1)).toBeNull();
    expect(table.apply(batch(1, 0, 1), 2)).toBeNull();
    expect(table.apply(batch(3, 0, 0), 3)).toBe(2);
    expect(table.entries().map((e) => e.producerId)).toEqual([1, 3]);
    expect(table.size).toBe(2);
  });
});

describe('producer state snapshot encoding', () => {
  it('round-trips the entries in order', () => {
    const table = tableWith([1, 2, 3, 4, 5, 6]);
    table.apply(batch(2 ** 52, 32767, int32Max, 2, -1), 2 ** 50);
    table.apply(batch(0, 0, 0, 1, 1_700_000_000_000), 0);
    const entries = table.entries();
    expect(decodeProducerSnapshot(encodeProducerSnapshot(entries))).toEqual(entries);
    const rebuilt = new ProducerStateTable({ producersMax: 100, entries });
    expect(rebuilt.entries()).toEqual(entries);
    expect(rebuilt.check(batch(7, 2, 15, 6))).toEqual({ kind: 'duplicate', firstOffset: 120, lastOffset: 125 });
    expect(decodeProducerSnapshot(encodeProducerSnapshot([]))).toEqual([]);
  });

  it('refuses a damaged, cut or foreign file', () => {
    const bytes = encodeProducerSnapshot(tableWith([2, 2]).entries());
    for (let at = 0; at < bytes.length; at += 7) {
      const damaged = Buffer.from(bytes);
      damaged[at] = damaged[at]! ^ 0x40;
      expect(decodeProducerSnapshot(damaged)).toBeNull();
    }
    expect(decodeProducerSnapshot(bytes.subarray(0, bytes.length - 1))).toBeNull();
    expect(decodeProducerSnapshot(Buffer.from('not a snapshot'))).toBeNull();
  });
});
