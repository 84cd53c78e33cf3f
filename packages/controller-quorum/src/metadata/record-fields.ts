import { DecodeError, type Reader, type Writer } from '@rill/protocol';
import { replicasPerPartitionMax, stringLengthMax } from './limits.js';

/**
 * Field readers and writers for our record layout. Each reader checks the value's range as
 * well as its bytes, so a decoded record always satisfies the types' documented domains
 * (node ids ≥ 0, leader ≥ -1, …) and replay never meets a value it cannot place.
 */

const int32Bytes = 4;

export function readInt32InRange(reader: Reader, min: number, what: string): number {
  const value = reader.int32();
  if (value < min) throw new DecodeError(`${what} ${value} is below ${min}`);
  return value;
}

export const readNodeId = (reader: Reader): number => readInt32InRange(reader, 0, 'node id');
export const readEpoch = (reader: Reader): number => readInt32InRange(reader, 0, 'epoch');
export const readPartitionIndex = (reader: Reader): number =>
  readInt32InRange(reader, 0, 'partition');

/** A leader id: a node id, or -1 for none. */
export const readLeader = (reader: Reader): number => readInt32InRange(reader, -1, 'leader');

export function readPort(reader: Reader): number {
  return reader.uint16();
}

/** Non-negative int64 (producer ids); the Reader already rejects values beyond 2^53. */
export function readNonNegativeInt64(reader: Reader, what: string): number {
  const value = reader.int64();
  if (value < 0) throw new DecodeError(`${what} ${value} is negative`);
  return value;
}

export function writeString(writer: Writer, value: string): void {
  writer.compactString(value);
}

export function writeNullableString(writer: Writer, value: string | null): void {
  writer.compactNullableString(value);
}

export function readString(reader: Reader, what: string): string {
  return checkLength(reader.compactString(), what);
}

export function readNullableString(reader: Reader, what: string): string | null {
  const value = reader.compactNullableString();
  return value === null ? null : checkLength(value, what);
}

function checkLength(value: string, what: string): string {
  if (value.length > stringLengthMax)
    throw new DecodeError(`${what} is longer than ${stringLengthMax}`);
  return value;
}

export function writeNodeIds(writer: Writer, ids: readonly number[]): void {
  writer.uvarint(ids.length + 1);
  for (const id of ids) writer.int32(id);
}

export function writeNullableNodeIds(writer: Writer, ids: readonly number[] | null): void {
  if (ids === null) writer.uvarint(0);
  else writeNodeIds(writer, ids);
}

export function readNodeIds(reader: Reader, what: string): number[] {
  const ids = readNullableNodeIds(reader, what);
  if (ids === null) throw new DecodeError(`${what} is null`);
  return ids;
}

/** A replica or ISR list: bounded, with no broker twice (replay relies on both). */
export function readNullableNodeIds(reader: Reader, what: string): number[] | null {
  const count = reader.compactArrayLength(int32Bytes);
  if (count === -1) return null;
  if (count > replicasPerPartitionMax) throw new DecodeError(`${what} has ${count} entries`);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(readNodeId(reader));
  if (new Set(ids).size !== ids.length) throw new DecodeError(`${what} lists a broker twice`);
  return ids;
}

/** Checks a caller's list count before looping over it. */
export function readCount(
  reader: Reader,
  minItemBytes: number,
  countMax: number,
  what: string,
): number {
  const count = reader.compactArrayLength(minItemBytes);
  if (count < 0) throw new DecodeError(`${what} is null`);
  if (count > countMax)
    throw new DecodeError(`${what} has ${count} entries, more than ${countMax}`);
  return count;
}
