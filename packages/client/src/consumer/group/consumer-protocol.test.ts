import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../errors.js';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from './consumer-protocol.js';

describe('consumer protocol', () => {
  it('round-trips a v1 subscription with owned partitions', () => {
    const subscription = {
      topics: ['a', 'b'],
      userData: Buffer.from([0, 0, 0, 7]),
      ownedPartitions: [{ topic: 'a', partitions: [0, 2] }],
    };
    expect(decodeSubscription(encodeSubscription(subscription))).toEqual(subscription);
  });

  it('reads a v0 subscription (no owned partitions), as older clients send', () => {
    const v0 = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff]);
    expect(decodeSubscription(v0)).toEqual({ topics: ['t'], userData: null, ownedPartitions: [] });
  });

  it('round-trips an assignment, and reads empty bytes as no partitions', () => {
    const assignment = { partitions: [{ topic: 'x', partitions: [1, 3] }], userData: null };
    expect(decodeAssignment(encodeAssignment(assignment))).toEqual(assignment);
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({ partitions: [], userData: null });
  });

  it('turns garbage into a typed ProtocolError', () => {
    expect(() => decodeSubscription(Buffer.from([0, 1, 0x7f, 0xff, 0xff, 0xff]))).toThrow(
      ProtocolError,
    );
  });
});
