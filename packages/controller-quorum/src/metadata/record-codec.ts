import { DecodeError, Reader, Writer } from '@rill/protocol';
import { recordsPerEntryMax } from './limits.js';
import { recordLayouts, type RecordLayout } from './record-layouts.js';
import type { MetadataRecord } from './records.js';

/**
 * Byte formats of metadata records.
 *
 * One record: `uint16 typeId, uint16 version, body` (body layouts in record-layouts.ts).
 * One Raft entry: `uint16 entryFormat, compact count, count × (compact bytes record)` — a
 * controller operation commits all its records in one entry, so a reader never sees half of
 * a topic creation. The Raft core's own leader-change marker is an empty payload.
 *
 * Every decoder here throws only DecodeError on bad input, and rejects trailing bytes so one
 * value has exactly one encoding (the image hash depends on it).
 */

const entryFormatV0 = 0;
/** A record's header (type id and version) is four bytes; an empty body is possible. */
const recordBytesMin = 4;

const layoutsById = new Map<number, RecordLayout<MetadataRecord>>(
  Object.values(recordLayouts).map((layout) => [
    layout.typeId,
    layout as RecordLayout<MetadataRecord>,
  ]),
);

export function encodeRecord(record: MetadataRecord): Buffer {
  const writer = new Writer();
  writeRecord(writer, record);
  return writer.finish();
}

function writeRecord(writer: Writer, record: MetadataRecord): void {
  const layout = recordLayouts[record.type] as RecordLayout<MetadataRecord>;
  writer.uint16(layout.typeId);
  writer.uint16(layout.version);
  layout.write(writer, record);
}

export function decodeRecord(bytes: Buffer): MetadataRecord {
  const reader = new Reader(bytes);
  const record = readRecord(reader);
  expectEnd(reader, 'record');
  return record;
}

function readRecord(reader: Reader): MetadataRecord {
  const typeId = reader.uint16();
  const version = reader.uint16();
  const layout = layoutsById.get(typeId);
  if (layout === undefined) throw new DecodeError(`unknown metadata record type ${typeId}`);
  if (version !== layout.version)
    throw new DecodeError(`record type ${typeId} has no version ${version}`);
  return layout.read(reader);
}

/** Encodes records as a list of length-prefixed records (entries and snapshots share it). */
export function writeRecordList(writer: Writer, records: readonly MetadataRecord[]): void {
  writer.uvarint(records.length + 1);
  for (const record of records) writer.compactBytes(encodeRecord(record));
}

export function readRecordList(reader: Reader, countMax: number): MetadataRecord[] {
  const count = reader.compactArrayLength(recordBytesMin + 1);
  if (count < 0) throw new DecodeError('null record list');
  if (count > countMax) throw new DecodeError(`${count} records, more than ${countMax}`);
  const records: MetadataRecord[] = [];
  for (let i = 0; i < count; i++) records.push(decodeRecord(reader.compactBytes()));
  return records;
}

/** The payload of one Raft entry holding the records of one controller operation. */
export function encodeEntryPayload(records: readonly MetadataRecord[]): Buffer {
  const writer = new Writer();
  writer.uint16(entryFormatV0);
  writeRecordList(writer, records);
  return writer.finish();
}

/** The records of one committed entry; none for the Raft core's empty leader marker. */
export function decodeEntryPayload(payload: Buffer): MetadataRecord[] {
  if (payload.length === 0) return [];
  const reader = new Reader(payload);
  const format = reader.uint16();
  if (format !== entryFormatV0) throw new DecodeError(`unknown metadata entry format ${format}`);
  const records = readRecordList(reader, recordsPerEntryMax);
  expectEnd(reader, 'entry');
  return records;
}

export function expectEnd(reader: Reader, what: string): void {
  if (reader.remaining() !== 0)
    throw new DecodeError(`${reader.remaining()} bytes after the ${what}`);
}
