import { Writer } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import { decodeGroupRecord, encodeGroupRecord, subscribedTopicsOf, type GroupRecord } from './group-records.js';

function roundTrip(record: GroupRecord): GroupRecord | null {
  const { key, value } = encodeGroupRecord(record);
  return decodeGroupRecord(key, value);
}

describe('__consumer_offsets records in Kafka formats', () => {
  it("writes an offset commit as Kafka's OffsetCommitKey v1 and OffsetCommitValue v3", () => {
    const { key, value } = encodeGroupRecord({
      kind: 'offset',
      groupId: 'g',
      topic: 't',
      partition: 3,
      value: { offset: 42, leaderEpoch: -1, metadata: '', commitTimestampMs: 1000, expireTimestampMs: -1 },
    });
    expect(key.toString('hex')).toBe('0001' + '000167' + '000174' + '00000003');
    expect(value!.toString('hex')).toBe('0003' + '000000000000002a' + 'ffffffff' + '0000' + '00000000000003e8');
  });

  it('writes OffsetCommitValue v1 when the commit carried a retention time', () => {
    const { value } = encodeGroupRecord({
      kind: 'offset',
      groupId: 'g',
      topic: 't',
      partition: 0,
      value: { offset: 1, leaderEpoch: -1, metadata: 'm', commitTimestampMs: 5, expireTimestampMs: 9 },
    });
    expect(value!.toString('hex')).toBe('0001' + '0000000000000001' + '00016d' + '0000000000000005' + '0000000000000009');
  });

  it('round-trips offsets, tombstones and group metadata', () => {
    const offset: GroupRecord = {
      kind: 'offset', groupId: 'grp', topic: 'orders', partition: 7,
      value: { offset: 123456789012, leaderEpoch: -1, metadata: 'meta', commitTimestampMs: 1700000000000, expireTimestampMs: -1 },
    };
    expect(roundTrip(offset)).toEqual(offset);
    const tombstone: GroupRecord = { kind: 'offset', groupId: 'grp', topic: 'orders', partition: 7, value: null };
    expect(roundTrip(tombstone)).toEqual(tombstone);
    const group: GroupRecord = {
      kind: 'group',
      groupId: 'grp',
      value: {
        protocolType: 'consumer',
        generationId: 4,
        protocolName: 'range',
        leaderId: 'a-1',
        currentStateTimestampMs: 1700000000001,
        members: [
          { memberId: 'a-1', clientId: 'a', clientHost: '/127.0.0.1', rebalanceTimeoutMs: 60000, sessionTimeoutMs: 10000, subscription: Buffer.from([0, 1]), assignment: Buffer.from([9]) },
          { memberId: 'b-2', clientId: 'b', clientHost: '/127.0.0.2', rebalanceTimeoutMs: 30000, sessionTimeoutMs: 6000, subscription: Buffer.alloc(0), assignment: Buffer.alloc(0) },
        ],
      },
    };
    expect(roundTrip(group)).toEqual(group);
    expect(roundTrip({ kind: 'group', groupId: 'grp', value: null })).toEqual({ kind: 'group', groupId: 'grp', value: null });
  });

  it('reads GroupMetadataValue v0 (no rebalance timeout, no timestamp)', () => {
    const w = new Writer();
    w.int16(0);
    w.string('consumer');
    w.int32(2);
    w.nullableString('range');
    w.nullableString('m');
    w.int32(1);
    w.string('m');
    w.string('client');
    w.string('/host');
    w.int32(10000);
    w.bytes(Buffer.from('sub'));
    w.bytes(Buffer.from('asg'));
    const key = new Writer();
    key.int16(2);
    key.string('old');
    const decoded = decodeGroupRecord(key.finish(), w.finish());
    expect(decoded).toMatchObject({
      kind: 'group',
      groupId: 'old',
      value: { generationId: 2, currentStateTimestampMs: -1, members: [{ memberId: 'm', rebalanceTimeoutMs: -1, sessionTimeoutMs: 10000 }] },
    });
  });

  it('reads the flexible OffsetCommitValue v4 and skips its tagged fields', () => {
    const w = new Writer();
    w.int16(4);
    w.int64(77);
    w.int32(5);
    w.compactString('x');
    w.int64(3);
    w.uvarint(1);
    w.uvarint(0);
    w.uvarint(2);
    w.raw(Buffer.from([1, 2]));
    const key = encodeGroupRecord({ kind: 'offset', groupId: 'g', topic: 't', partition: 0, value: null }).key;
    expect(decodeGroupRecord(key, w.finish())).toMatchObject({ value: { offset: 77, leaderEpoch: 5, metadata: 'x', commitTimestampMs: 3 } });
  });

  it('skips record types it does not know, and throws DecodeError on damaged bytes', () => {
    const key = new Writer();
    key.int16(3);
    key.string('a consumer group of the new protocol');
    expect(decodeGroupRecord(key.finish(), Buffer.alloc(4))).toBeNull();
    const good = encodeGroupRecord({ kind: 'group', groupId: 'g', value: { protocolType: '', generationId: 0, protocolName: null, leaderId: null, currentStateTimestampMs: -1, members: [] } });
    expect(() => decodeGroupRecord(good.key, good.value!.subarray(0, 5))).toThrow(/bytes/);
  });

  it('reads the topics of a consumer subscription, and null for anything else', () => {
    const w = new Writer();
    w.int16(1);
    w.int32(2);
    w.string('a');
    w.string('b');
    w.bytes(Buffer.alloc(0));
    expect(subscribedTopicsOf(w.finish())).toEqual(['a', 'b']);
    expect(subscribedTopicsOf(Buffer.from([0, 0, 0x7f, 0xff, 0xff, 0xff]))).toBeNull();
  });
});
