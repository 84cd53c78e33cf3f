import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@rill/base';
import { murmur2, toPositive } from './murmur2.js';
import { defaultPartitioner, keyedPartition } from './partitioner.js';

describe('murmur2', () => {
  // The Java client's own vectors (Apache Kafka UtilsTest.testMurmur2).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %j to %i as the Java client does', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  it('makes a hash positive by masking the sign bit, not by abs()', () => {
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
  });

  it("places keys exactly where kafkajs's Java-compatible partitioner does", () => {
    const theirs = Partitioners.DefaultPartitioner();
    const random = new SeededRandom(7);
    for (let i = 0; i < 2000; i++) {
      const key = Buffer.from(
        Array.from({ length: random.between(0, 40) }, () => random.between(0, 255)),
      );
      const partitions = random.between(1, 64);
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 1,
      }));
      const expected = theirs({
        topic: 't',
        partitionMetadata: partitionMetadata as never,
        message: { key, value: null },
      });
      expect(keyedPartition(key, partitions)).toBe(expected);
    }
  });
});

describe('defaultPartitioner', () => {
  it('sends a key to the same partition every time', () => {
    const partition = defaultPartitioner({ stickyBytes: 100 });
    const input = {
      topic: 't',
      key: Buffer.from('user-1'),
      partitionCount: 6,
      availablePartitions: [0, 1, 2, 3, 4, 5],
      recordBytes: 10,
    };
    const first = partition(input);
    expect(Array.from({ length: 20 }, () => partition(input))).toEqual(Array(20).fill(first));
    expect(first).toBe(keyedPartition(Buffer.from('user-1'), 6));
  });

  it('sticks keyless records to one available partition until stickyBytes, then moves', () => {
    const random = new SeededRandom(3);
    const partition = defaultPartitioner({ stickyBytes: 100, random: () => random.next() });
    const input = {
      topic: 't',
      key: null,
      partitionCount: 8,
      availablePartitions: [2, 5],
      recordBytes: 10,
    };
    const chosen = Array.from({ length: 100 }, () => partition(input));
    for (let i = 0; i < 100; i += 10) expect(new Set(chosen.slice(i, i + 10)).size).toBe(1);
    expect(new Set(chosen)).toEqual(new Set([2, 5]));
  });
});
