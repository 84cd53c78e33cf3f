import { DecodeError, Reader, Writer } from '@rill/protocol';
import { MetadataDelta } from './delta.js';
import { emptyImage, type MetadataImage } from './image.js';
import { imageRecords } from './image-records.js';
import { recordsPerSnapshotMax } from './limits.js';
import { expectEnd, readRecordList, writeRecordList } from './record-codec.js';
import { noLeader, type MetadataRecord, type PartitionRecord } from './records.js';

/**
 * A metadata snapshot (KIP-630): `uint16 format, int64 offset, int32 epoch, record list`,
 * where the records rebuild the image from empty. Decoding replays them with the same code
 * as the log, so a snapshot can never mean something the log would not.
 */

const snapshotFormatV0 = 0;

export function encodeSnapshot(image: MetadataImage): Buffer {
  const writer = new Writer();
  writer.uint16(snapshotFormatV0);
  writer.int64(image.provenance.offset);
  writer.int32(image.provenance.epoch);
  writeRecordList(writer, imageRecords(image));
  return writer.finish();
}

/** The image a snapshot holds; DecodeError for anything that is not a well-formed snapshot. */
export function decodeSnapshot(bytes: Buffer): MetadataImage {
  const reader = new Reader(bytes);
  const format = reader.uint16();
  if (format !== snapshotFormatV0)
    throw new DecodeError(`unknown metadata snapshot format ${format}`);
  const offset = reader.int64();
  const epoch = reader.int32();
  if (offset < -1 || epoch < 0) throw new DecodeError(`snapshot provenance ${offset}@${epoch}`);
  const records = readRecordList(reader, recordsPerSnapshotMax);
  expectEnd(reader, 'snapshot');
  const problem = snapshotRecordsProblem(records);
  if (problem !== null) throw new DecodeError(`snapshot: ${problem}`);
  const delta = new MetadataDelta(emptyImage);
  for (const record of records) delta.replay(record);
  return delta.apply({ offset, epoch });
}

/**
 * Replay asserts that records fit, which is right for our own log but not for bytes from a
 * peer: so the snapshot's records are checked here first, and a misfit is a DecodeError.
 */
function snapshotRecordsProblem(records: readonly MetadataRecord[]): string | null {
  const topicIds = new Set<string>();
  const topicNames = new Set<string>();
  const partitions = new Set<string>();
  let producerIdBlocks = 0;
  for (const record of records) {
    if (record.type === 'topic') {
      if (topicIds.has(record.topicId) || topicNames.has(record.name))
        return `topic ${record.name} twice`;
      topicIds.add(record.topicId);
      topicNames.add(record.name);
    } else if (record.type === 'partition') {
      const key = `${record.topicId}/${record.partition}`;
      if (!topicIds.has(record.topicId) || partitions.has(key))
        return `partition ${key} unexpected`;
      partitions.add(key);
      const problem = partitionProblem(record);
      if (problem !== null) return `partition ${key}: ${problem}`;
    } else if (record.type === 'producerIdsBlock') {
      producerIdBlocks += 1;
      if (producerIdBlocks > 1) return 'more than one producer id block';
    } else if (record.type !== 'registerBroker' && record.type !== 'config') {
      return `a ${record.type} record`;
    }
  }
  return null;
}

function partitionProblem(record: PartitionRecord): string | null {
  if (record.replicas.length === 0) return 'no replicas';
  if (record.isr.length === 0) return 'empty ISR';
  if (!record.isr.every((member) => record.replicas.includes(member)))
    return 'ISR member outside the replicas';
  if (record.leader !== noLeader && !record.isr.includes(record.leader))
    return 'leader outside the ISR';
  return null;
}
