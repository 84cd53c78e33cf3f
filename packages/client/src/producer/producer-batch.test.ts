import { describe, expect, it } from 'vitest';
import { decodeRecordBatch, verifyBatchCrc } from '@rill/protocol';
import { ProducerBatch } from './producer-batch.js';
import {
  byteLength,
  fixedBytesOf,
  measureHeaders,
  varintSize,
  writeVarint,
  type Bytes,
  type MeasuredRecord,
  type RecordHeader,
} from './record-writer.js';

function record(args: {
  key?: Bytes;
  value: Bytes;
  headers?: RecordHeader[];
  timestamp: number;
}): MeasuredRecord {
  const key = args.key ?? null;
  const headers = args.headers ?? [];
  return {
    key,
    keyBytes: byteLength(key),
    value: args.value,
    valueBytes: byteLength(args.value),
    headers,
    headersBytes: measureHeaders(headers),
    fixedBytes: fixedBytesOf(byteLength(key), byteLength(args.value), measureHeaders(headers)),
    timestamp: args.timestamp,
  };
}

function sealedFrom(records: MeasuredRecord[], compression: 'none' | 'gzip'): Promise<Buffer> {
  const batch = new ProducerBatch({
    topic: 't',
    partition: 0,
    buffer: Buffer.alloc(1 << 20),
    nowMs: 0,
  });
  for (const r of records) expect(batch.tryAppend(r)).toBeGreaterThanOrEqual(0);
  return new Promise((resolve) => {
    const seal = () => resolve(batch.seal({ producerId: 42, producerEpoch: 3, baseSequence: 17 }));
    batch.close(compression, seal);
    if (compression === 'none') seal();
  });
}

describe('zigzag varints', () => {
  it.each([0, 1, -1, 63, -64, 64, 300, -300, 2 ** 30, -(2 ** 30), 2 ** 31, -(2 ** 40), 2 ** 52])(
    'encodes %d in varintSize bytes that protocol reads back',
    (v) => {
      const buf = Buffer.alloc(16);
      const end = writeVarint(buf, 0, v);
      expect(end).toBe(varintSize(v));
    },
  );
});

describe('ProducerBatch', () => {
  it.each(['none', 'gzip'] as const)(
    'writes batches (%s) that the protocol codec decodes exactly',
    async (compression) => {
      const base = 1_700_000_000_000;
      const records = [
        record({ key: 'k1', value: 'hello', timestamp: base }),
        record({
          value: Buffer.alloc(300, 9),
          headers: [
            { key: 'a', value: 'b' },
            { key: 'n', value: null },
          ],
          timestamp: base + 5,
        }),
        record({ key: Buffer.from([1, 2]), value: null, timestamp: base - 3 }),
        record({ key: 'ünïcødé', value: 'ß'.repeat(200), timestamp: base + 2 ** 33 }),
      ];
      const bytes = await sealedFrom(records, compression);
      expect(verifyBatchCrc(bytes, 0)).toBe(true);
      const { header, records: decoded } = decodeRecordBatch(bytes, 0);
      expect(header).toMatchObject({
        producerId: 42,
        producerEpoch: 3,
        baseSequence: 17,
        recordCount: 4,
        lastOffsetDelta: 3,
        baseTimestamp: base,
        maxTimestamp: base + 2 ** 33,
      });
      expect(decoded.map((r) => r.key?.toString() ?? null)).toEqual([
        'k1',
        null,
        '\u0001\u0002',
        'ünïcødé',
      ]);
      expect(decoded[1]!.value!.equals(Buffer.alloc(300, 9))).toBe(true);
      expect(decoded[1]!.headers.map((h) => [h.key, h.value?.toString() ?? null])).toEqual([
        ['a', 'b'],
        ['n', null],
      ]);
      expect(decoded[2]!.value).toBeNull();
      expect(decoded[3]!.value!.toString()).toBe('ß'.repeat(200));
      expect(decoded.map((r) => r.timestamp)).toEqual([base, base + 5, base - 3, base + 2 ** 33]);
      expect(decoded.map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    },
  );

  it('refuses a record that does not fit and accepts it in a batch sized for it', () => {
    const big = record({ value: Buffer.alloc(2000), timestamp: 0 });
    const small = new ProducerBatch({
      topic: 't',
      partition: 0,
      buffer: Buffer.alloc(1000),
      nowMs: 0,
    });
    expect(small.tryAppend(big)).toBe(-1);
    const sized = new ProducerBatch({
      topic: 't',
      partition: 0,
      buffer: Buffer.alloc(ProducerBatch.capacityFor(big)),
      nowMs: 0,
    });
    expect(sized.tryAppend(big)).toBe(0);
  });

  it('reseals with a new identity (a new producer id) and keeps the old bytes for retries', async () => {
    const batch = new ProducerBatch({
      topic: 't',
      partition: 0,
      buffer: Buffer.alloc(4096),
      nowMs: 0,
    });
    batch.tryAppend(record({ value: 'x', timestamp: 1 }));
    batch.close('none', () => undefined);
    const first = batch.seal({ producerId: 1, producerEpoch: 0, baseSequence: 5 });
    expect(batch.seal({ producerId: 1, producerEpoch: 0, baseSequence: 5 })).toBe(first);
    const second = Buffer.from(batch.seal({ producerId: 2, producerEpoch: 0, baseSequence: 0 }));
    expect(decodeRecordBatch(second, 0).header).toMatchObject({ producerId: 2, baseSequence: 0 });
  });
});
