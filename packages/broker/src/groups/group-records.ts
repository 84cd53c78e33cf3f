/**
 * The records of `__consumer_offsets`, in Kafka's own formats, so the bytes mean the same to
 * Kafka's tools as ours. A key starts with an int16 version that names the record type:
 * 0 or 1 an OffsetCommitKey (group, topic, partition), 2 a GroupMetadataKey (group). A value
 * starts with its own int16 version; a null value is a tombstone. We write OffsetCommitValue
 * v3 (v1 when the commit carried a retention time, as Kafka does) and GroupMetadataValue v3,
 * and read every version up to 4 (the first flexible one).
 */
import { DecodeError, Reader, Writer } from '@rill/protocol';

export interface OffsetCommitValue {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestampMs: number;
  /** Set only by OffsetCommit v2–4 with a retention time; -1 otherwise. */
  readonly expireTimestampMs: number;
}

export interface StoredMember {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  /** The member's metadata for the group's chosen protocol. */
  readonly subscription: Buffer;
  readonly assignment: Buffer;
}

export interface GroupMetadataValue {
  /** "" for a group that only stores offsets. */
  readonly protocolType: string;
  readonly generationId: number;
  readonly protocolName: string | null;
  readonly leaderId: string | null;
  /** Wall-clock time of the group's last state change, -1 when unknown. */
  readonly currentStateTimestampMs: number;
  readonly members: readonly StoredMember[];
}

export type GroupRecord =
  | { readonly kind: 'offset'; readonly groupId: string; readonly topic: string; readonly partition: number; readonly value: OffsetCommitValue | null }
  | { readonly kind: 'group'; readonly groupId: string; readonly value: GroupMetadataValue | null };

/** A record as it goes into a batch: key and value bytes (null value: a tombstone). */
export interface EncodedRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

const offsetKeyVersion = 1;
const groupKeyVersion = 2;
const offsetValueVersion = 3;
const offsetValueVersionWithExpiry = 1;
const groupValueVersion = 3;
const flexibleVersion = 4;

export function encodeGroupRecord(record: GroupRecord): EncodedRecord {
  const key = new Writer(64);
  if (record.kind === 'offset') {
    key.int16(offsetKeyVersion);
    key.string(record.groupId);
    key.string(record.topic);
    key.int32(record.partition);
    return { key: key.finish(), value: record.value === null ? null : encodeOffsetValue(record.value) };
  }
  key.int16(groupKeyVersion);
  key.string(record.groupId);
  return { key: key.finish(), value: record.value === null ? null : encodeGroupValue(record.value) };
}

function encodeOffsetValue(value: OffsetCommitValue): Buffer {
  const w = new Writer(64);
  if (value.expireTimestampMs >= 0) {
    w.int16(offsetValueVersionWithExpiry);
    w.int64(value.offset);
    w.string(value.metadata);
    w.int64(value.commitTimestampMs);
    w.int64(value.expireTimestampMs);
    return w.finish();
  }
  w.int16(offsetValueVersion);
  w.int64(value.offset);
  w.int32(value.leaderEpoch);
  w.string(value.metadata);
  w.int64(value.commitTimestampMs);
  return w.finish();
}

function encodeGroupValue(value: GroupMetadataValue): Buffer {
  const w = new Writer(256 + groupValueBytes(value));
  w.int16(groupValueVersion);
  w.string(value.protocolType);
  w.int32(value.generationId);
  w.nullableString(value.protocolName);
  w.nullableString(value.leaderId);
  w.int64(value.currentStateTimestampMs);
  w.int32(value.members.length);
  for (const member of value.members) {
    w.string(member.memberId);
    w.nullableString(null);
    w.string(member.clientId);
    w.string(member.clientHost);
    w.int32(member.rebalanceTimeoutMs);
    w.int32(member.sessionTimeoutMs);
    w.bytes(member.subscription);
    w.bytes(member.assignment);
  }
  return w.finish();
}

/**
 * Roughly the bytes a group metadata value takes (strings counted as UTF-16 units), cheap
 * enough to check a leader's assignment against the record size limit before encoding it.
 */
export function groupValueBytes(value: GroupMetadataValue): number {
  let bytes = 32 + value.protocolType.length + (value.protocolName?.length ?? 0) + (value.leaderId?.length ?? 0);
  for (const m of value.members) {
    bytes += 32 + 3 * (m.memberId.length + m.clientId.length + m.clientHost.length) + m.subscription.length + m.assignment.length;
  }
  return bytes;
}

/**
 * Reads one record of the offsets topic; null for key versions we do not know (Kafka's
 * newer group types), which the loader skips. Throws DecodeError on damaged bytes.
 */
export function decodeGroupRecord(key: Buffer, value: Buffer | null): GroupRecord | null {
  const r = new Reader(key);
  const version = r.int16();
  if (version === 0 || version === 1) {
    const groupId = r.string();
    const topic = r.string();
    const partition = r.int32();
    return { kind: 'offset', groupId, topic, partition, value: value === null ? null : decodeOffsetValue(value) };
  }
  if (version === 2) {
    const groupId = r.string();
    return { kind: 'group', groupId, value: value === null ? null : decodeGroupValue(value) };
  }
  return null;
}

function decodeOffsetValue(bytes: Buffer): OffsetCommitValue {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version < 0 || version > flexibleVersion) throw new DecodeError(`OffsetCommitValue version ${version} is unknown`);
  const flexible = version >= flexibleVersion;
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = flexible ? r.compactString() : r.string();
  const commitTimestampMs = r.int64();
  const expireTimestampMs = version === 1 ? r.int64() : -1;
  if (flexible) skipTaggedFields(r);
  return { offset, leaderEpoch, metadata, commitTimestampMs, expireTimestampMs };
}

function decodeGroupValue(bytes: Buffer): GroupMetadataValue {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version < 0 || version > flexibleVersion) throw new DecodeError(`GroupMetadataValue version ${version} is unknown`);
  const text = new TextFields(r, version >= flexibleVersion);
  const protocolType = text.string();
  const generationId = r.int32();
  const protocolName = text.nullableString();
  const leaderId = text.nullableString();
  const currentStateTimestampMs = version >= 2 ? r.int64() : -1;
  const count = text.flexible ? r.compactArrayLength(8) : r.arrayLength(8);
  const members: StoredMember[] = [];
  for (let i = 0; i < count; i++) members.push(decodeMember(r, text, version));
  if (text.flexible) skipTaggedFields(r);
  return { protocolType, generationId, protocolName, leaderId, currentStateTimestampMs, members };
}

function decodeMember(r: Reader, text: TextFields, version: number): StoredMember {
  const memberId = text.string();
  if (version >= 3) text.nullableString();
  const clientId = text.string();
  const clientHost = text.string();
  const rebalanceTimeoutMs = version >= 1 ? r.int32() : -1;
  const sessionTimeoutMs = r.int32();
  // Copies: the loader's read buffer must not stay alive for as long as the group does.
  const subscription = Buffer.from(text.bytes());
  const assignment = Buffer.from(text.bytes());
  if (text.flexible) skipTaggedFields(r);
  return { memberId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, subscription, assignment };
}

/** Classic or compact (KIP-482) strings and bytes, by the value's version. */
class TextFields {
  constructor(
    readonly reader: Reader,
    readonly flexible: boolean,
  ) {}

  string(): string {
    return this.flexible ? this.reader.compactString() : this.reader.string();
  }

  nullableString(): string | null {
    return this.flexible ? this.reader.compactNullableString() : this.reader.nullableString();
  }

  bytes(): Buffer {
    return this.flexible ? this.reader.compactBytes() : this.reader.bytes();
  }
}

function skipTaggedFields(r: Reader): void {
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    r.uvarint();
    r.take(r.uvarint());
  }
}

/**
 * The topics of a ConsumerProtocolSubscription (any version: the topic list comes first),
 * or null when the bytes are not one. Used to expire offsets of topics a stable consumer
 * group no longer subscribes to, as Kafka does.
 */
export function subscribedTopicsOf(subscription: Buffer): string[] | null {
  try {
    const r = new Reader(subscription);
    const version = r.int16();
    if (version < 0) return null;
    const count = r.arrayLength(2);
    const topics: string[] = [];
    for (let i = 0; i < count; i++) topics.push(r.string());
    return topics;
  } catch (error) {
    if (error instanceof DecodeError) return null;
    throw error;
  }
}
