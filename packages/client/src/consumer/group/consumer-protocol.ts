import { DecodeError, Reader, Writer } from '@rill/protocol';
import { ProtocolError } from '../../errors.js';
import { assignedPartitionsMax, subscribedTopicsMax } from '../../limits.js';

/** Partitions of one topic, as the consumer protocol lists them. */
export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/** What a member sends in JoinGroup (ConsumerProtocolSubscription v0–1). */
export interface Subscription {
  readonly topics: readonly string[];
  readonly userData: Buffer | null;
  /** v1: what the member holds now; cooperative assignors need it. */
  readonly ownedPartitions: readonly TopicPartitions[];
}

/** What the leader hands each member in SyncGroup (ConsumerProtocolAssignment v0–1). */
export interface Assignment {
  readonly partitions: readonly TopicPartitions[];
  readonly userData: Buffer | null;
}

/** The version we write: v1 carries owned partitions; readers of v0 ignore the tail. */
const SUBSCRIPTION_VERSION = 1;
const ASSIGNMENT_VERSION = 1;
/** An empty string plus an empty array: the smallest encoding of a topic entry. */
const TOPIC_PARTITIONS_MIN_BYTES = 6;
const STRING_MIN_BYTES = 2;

export function encodeSubscription(subscription: Subscription): Buffer {
  const w = new Writer();
  w.int16(SUBSCRIPTION_VERSION);
  w.int32(subscription.topics.length);
  for (const topic of subscription.topics) w.string(topic);
  w.nullableBytes(subscription.userData);
  writeTopicPartitions(w, subscription.ownedPartitions);
  return w.finish();
}

export function encodeAssignment(assignment: Assignment): Buffer {
  const w = new Writer();
  w.int16(ASSIGNMENT_VERSION);
  writeTopicPartitions(w, assignment.partitions);
  w.nullableBytes(assignment.userData);
  return w.finish();
}

/** Decodes a member's subscription; bytes from other clients are untrusted input. */
export function decodeSubscription(bytes: Buffer): Subscription {
  return decoding('subscription', () => {
    const r = new Reader(bytes);
    const version = r.int16();
    const topics: string[] = [];
    const count = boundedCount(
      r.arrayLength(STRING_MIN_BYTES),
      subscribedTopicsMax,
      'subscribed topics',
    );
    for (let i = 0; i < count; i++) topics.push(r.string());
    const userData = r.nullableBytes();
    const ownedPartitions = version >= 1 && r.remaining() > 0 ? readTopicPartitions(r) : [];
    return { topics, userData, ownedPartitions };
  });
}

/** Decodes an assignment; an empty buffer (no partitions for this member) is allowed. */
export function decodeAssignment(bytes: Buffer): Assignment {
  if (bytes.length === 0) return { partitions: [], userData: null };
  return decoding('assignment', () => {
    const r = new Reader(bytes);
    r.int16();
    const partitions = readTopicPartitions(r);
    const userData = r.remaining() > 0 ? r.nullableBytes() : null;
    return { partitions, userData };
  });
}

function writeTopicPartitions(w: Writer, entries: readonly TopicPartitions[]): void {
  w.int32(entries.length);
  for (const entry of entries) {
    w.string(entry.topic);
    w.int32(entry.partitions.length);
    for (const partition of entry.partitions) w.int32(partition);
  }
}

function readTopicPartitions(r: Reader): TopicPartitions[] {
  const entries: TopicPartitions[] = [];
  const count = boundedCount(
    r.arrayLength(TOPIC_PARTITIONS_MIN_BYTES),
    subscribedTopicsMax,
    'topics',
  );
  let total = 0;
  for (let i = 0; i < count; i++) {
    const topic = r.string();
    const n = r.arrayLength(4);
    total += Math.max(0, n);
    boundedCount(total, assignedPartitionsMax, 'partitions');
    const partitions: number[] = [];
    for (let j = 0; j < n; j++) partitions.push(r.int32());
    entries.push({ topic, partitions });
  }
  return entries;
}

function boundedCount(count: number, max: number, what: string): number {
  if (count > max) throw new DecodeError(`${count} ${what} exceed the limit of ${max}`);
  return Math.max(0, count);
}

function decoding<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw new ProtocolError(
      `a group member sent a ${what} that does not decode: ${(error as Error).message}`,
      error,
    );
  }
}
