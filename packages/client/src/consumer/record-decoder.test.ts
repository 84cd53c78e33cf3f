import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@rill/base';
import {
  DecodeError,
  decodeRecordBatch,
  encodeRecordBatch,
  type RecordInput,
} from '@rill/protocol';
import { decodeBatchInto, type ConsumerRecord } from './record-decoder.js';

function randomBatch(random: SeededRandom): { bytes: Buffer; records: RecordInput[] } {
  const bytesOf = (): Buffer | null =>
    random.next() < 0.1
      ? null
      : Buffer.from(Array.from({ length: random.between(0, 300) }, () => random.between(0, 255)));
  const records = Array.from({ length: random.between(1, 20) }, (_, i) => ({
    key: bytesOf(),
    value: bytesOf(),
    headers: Array.from({ length: random.between(0, 3) }, (_, h) => ({
      key: `h${h}-ü`,
      value: bytesOf(),
    })),
    timestamp: 1_700_000_000_000 + random.between(-5000, 5000) * (i + 1),
  }));
  return {
    bytes: encodeRecordBatch({ baseOffset: random.between(0, 1_000_000), records }),
    records,
  };
}

const plain = (r: ConsumerRecord) => ({
  offset: r.offset,
  timestamp: r.timestamp,
  key: r.key === null ? null : Buffer.from(r.key),
  value: r.value === null ? null : Buffer.from(r.value),
  headers: r.headers.map((h) => ({
    key: h.key,
    value: h.value === null ? null : Buffer.from(h.value),
  })),
});

describe('decodeBatchInto', () => {
  it('reads exactly what the protocol codec reads (seeded random batches)', () => {
    const random = new SeededRandom(5);
    for (let round = 0; round < 300; round++) {
      const { bytes } = randomBatch(random);
      const ours: ConsumerRecord[] = [];
      decodeBatchInto(bytes, 0, bytes.length, 0, ours);
      expect(ours.map(plain)).toEqual(decodeRecordBatch(bytes, 0).records.map(plain));
    }
  });

  it('skips records below the fetch offset and reads gzip batches through the protocol codec', () => {
    const records = [0, 1, 2, 3].map((i) => ({ value: `v${i}`, timestamp: 1 }));
    for (const compression of ['none', 'gzip'] as const) {
      const bytes = encodeRecordBatch({ baseOffset: 10, records, compression });
      const out: ConsumerRecord[] = [];
      decodeBatchInto(bytes, 0, bytes.length, 12, out);
      expect(out.map((r) => [r.offset, r.value!.toString()])).toEqual([
        [12, 'v2'],
        [13, 'v3'],
      ]);
    }
  });

  it('turns any corruption into a DecodeError, never another error or a wrong record', () => {
    const random = new SeededRandom(9);
    for (let round = 0; round < 2000; round++) {
      const { bytes } = randomBatch(random);
      const mutated = Buffer.from(bytes);
      for (let flips = random.between(1, 4); flips > 0; flips--)
        mutated[random.between(0, mutated.length - 1)] = random.between(0, 255);
      if (mutated.equals(bytes)) continue;
      try {
        const out: ConsumerRecord[] = [];
        decodeBatchInto(mutated, 0, mutated.length, 0, out);
        // Only a change outside the CRC (base offset, leader epoch) may still decode.
        expect(mutated.subarray(21).equals(bytes.subarray(21))).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
      }
    }
  });

  it('prints as plain data', () => {
    const bytes = encodeRecordBatch({ records: [{ key: 'k', value: 'v', timestamp: 5 }] });
    const out: ConsumerRecord[] = [];
    decodeBatchInto(bytes, 0, bytes.length, 0, out);
    expect(JSON.parse(JSON.stringify(out[0]))).toMatchObject({
      offset: 0,
      timestamp: 5,
      headers: [],
    });
  });
});
