import { SeededRandom } from '@rill/base';
import { DecodeError } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import {
  decodeEntryPayload,
  decodeRecord,
  encodeEntryPayload,
  encodeRecord,
} from './record-codec.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import {
  clusterOf,
  partitionRecord,
  replayed,
  sampleRecords,
  topicIdFor,
} from './testing/fixtures.js';

describe('metadata record codec', () => {
  it.each(sampleRecords.map((record) => [record.type, record] as const))(
    'round-trips a %s record',
    (_, record) => {
      expect(decodeRecord(encodeRecord(record))).toEqual(record);
    },
  );

  it('keeps every record of an entry, in order', () => {
    expect(decodeEntryPayload(encodeEntryPayload(sampleRecords))).toEqual(sampleRecords);
  });

  it("reads the Raft core's empty leader marker as no records", () => {
    expect(decodeEntryPayload(Buffer.alloc(0))).toEqual([]);
  });

  it('refuses trailing bytes, unknown types and unknown versions', () => {
    const bytes = encodeRecord({ type: 'fenceBroker', nodeId: 1 });
    expect(() => decodeRecord(Buffer.concat([bytes, Buffer.of(0)]))).toThrow(DecodeError);
    expect(() => decodeRecord(Buffer.from([0, 99, 0, 0]))).toThrow(
      /unknown metadata record type 99/,
    );
    expect(() => decodeRecord(Buffer.from([0, 3, 0, 1, 0, 0, 0, 1]))).toThrow(/no version 1/);
  });

  it('refuses values outside their domain even when the bytes are well formed', () => {
    const negativeNode = encodeRecord({ type: 'fenceBroker', nodeId: 1 });
    negativeNode.writeInt32BE(-5, 4);
    expect(() => decodeRecord(negativeNode)).toThrow(/node id -5/);
    const twice = {
      type: 'partition',
      topicId: topicIdFor(1),
      partition: 0,
      replicas: [1, 1],
      isr: [1],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    } as const;
    expect(() => decodeRecord(encodeRecord(twice))).toThrow(/twice/);
  });
});

/** Throws unless `decode` either succeeds or fails with a DecodeError. */
function expectOnlyDecodeErrors(decode: () => unknown): 'ok' | 'refused' {
  try {
    decode();
    return 'ok';
  } catch (error) {
    if (error instanceof DecodeError) return 'refused';
    throw error;
  }
}

function mutate(bytes: Buffer, random: SeededRandom): Buffer {
  const copy = Buffer.from(bytes);
  const flips = random.between(1, 4);
  for (let i = 0; i < flips; i++) copy[random.between(0, copy.length - 1)] = random.between(0, 255);
  const cut = random.next() < 0.3 ? random.between(0, copy.length) : copy.length;
  return copy.subarray(0, cut);
}

describe('metadata decoders on garbage (seeded fuzz)', () => {
  const seed = 20_240_601;

  it('yield only DecodeError for mutated entries and random bytes', () => {
    const random = new SeededRandom(seed);
    const valid = encodeEntryPayload(sampleRecords);
    const outcomes = { ok: 0, refused: 0 };
    for (let i = 0; i < 20_000; i++) {
      const bytes = i % 4 === 0 ? randomBytes(random) : mutate(valid, random);
      outcomes[expectOnlyDecodeErrors(() => decodeEntryPayload(bytes))] += 1;
    }
    expect(outcomes.refused).toBeGreaterThan(1000);
  });

  it('yield only DecodeError for mutated snapshots', () => {
    const random = new SeededRandom(seed + 1);
    const topicId = topicIdFor(7);
    const image = replayed(clusterOf(3), [
      { type: 'topic', name: 't', topicId },
      partitionRecord(topicId, 0, [1, 2, 3]),
    ]);
    const valid = encodeSnapshot(image);
    for (let i = 0; i < 10_000; i++)
      expectOnlyDecodeErrors(() => decodeSnapshot(mutate(valid, random)));
  });
});

function randomBytes(random: SeededRandom): Buffer {
  return Buffer.from(Array.from({ length: random.between(0, 64) }, () => random.between(0, 255)));
}
