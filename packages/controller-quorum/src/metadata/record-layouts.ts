import { DecodeError, type Reader, type Writer } from '@rill/protocol';
import { listenersPerBrokerMax } from './limits.js';
import {
  readCount,
  readEpoch,
  readLeader,
  readNodeId,
  readNodeIds,
  readNonNegativeInt64,
  readNullableNodeIds,
  readNullableString,
  readPartitionIndex,
  readPort,
  readString,
  writeNodeIds,
  writeNullableNodeIds,
  writeNullableString,
  writeString,
} from './record-fields.js';
import type { Endpoint, MetadataRecord, MetadataRecordType } from './records.js';

type RecordOf<K extends MetadataRecordType> = Extract<MetadataRecord, { type: K }>;

/**
 * How one record type is laid out after the header. `typeId` is forever: a new record gets a
 * new id, and a changed layout gets a new version, so an old log stays readable.
 */
export interface RecordLayout<R> {
  readonly typeId: number;
  readonly version: number;
  write(writer: Writer, record: R): void;
  read(reader: Reader): R;
}

type Layouts = { readonly [K in MetadataRecordType]: RecordLayout<RecordOf<K>> };

/** The smallest endpoint: two empty compact strings' lengths, another, and the port. */
const endpointBytesMin = 1 + 1 + 2;

const registerBroker: RecordLayout<RecordOf<'registerBroker'>> = {
  typeId: 1,
  version: 0,
  write(writer, record) {
    writer.int32(record.nodeId);
    writer.uuid(record.incarnationId);
    writer.uvarint(record.endpoints.length + 1);
    for (const endpoint of record.endpoints) {
      writeString(writer, endpoint.name);
      writeString(writer, endpoint.host);
      writer.uint16(endpoint.port);
    }
    writeString(writer, record.internalAddress.host);
    writer.uint16(record.internalAddress.port);
    writeNullableString(writer, record.rack);
    writer.bool(record.fenced);
  },
  read(reader) {
    const nodeId = readNodeId(reader);
    const incarnationId = reader.uuid();
    const count = readCount(reader, endpointBytesMin, listenersPerBrokerMax, 'endpoints');
    const endpoints: Endpoint[] = [];
    for (let i = 0; i < count; i++) {
      endpoints.push({
        name: readString(reader, 'listener name'),
        host: readString(reader, 'host'),
        port: readPort(reader),
      });
    }
    const internalAddress = { host: readString(reader, 'internal host'), port: readPort(reader) };
    const rack = readNullableString(reader, 'rack');
    const fenced = readBool(reader);
    return {
      type: 'registerBroker',
      nodeId,
      incarnationId,
      endpoints,
      internalAddress,
      rack,
      fenced,
    };
  },
};

/** Layout of the three records that carry only a node id. */
function nodeIdOnly<K extends 'unregisterBroker' | 'fenceBroker' | 'unfenceBroker'>(
  type: K,
  typeId: number,
): RecordLayout<{ readonly type: K; readonly nodeId: number }> {
  return {
    typeId,
    version: 0,
    write: (writer, record) => writer.int32(record.nodeId),
    read: (reader) => ({ type, nodeId: readNodeId(reader) }),
  };
}

const topic: RecordLayout<RecordOf<'topic'>> = {
  typeId: 5,
  version: 0,
  write(writer, record) {
    writeString(writer, record.name);
    writer.uuid(record.topicId);
  },
  read: (reader) => ({
    type: 'topic',
    name: readString(reader, 'topic name'),
    topicId: reader.uuid(),
  }),
};

const partition: RecordLayout<RecordOf<'partition'>> = {
  typeId: 6,
  version: 0,
  write(writer, record) {
    writer.uuid(record.topicId);
    writer.int32(record.partition);
    writeNodeIds(writer, record.replicas);
    writeNodeIds(writer, record.isr);
    writer.int32(record.leader);
    writer.int32(record.leaderEpoch);
    writer.int32(record.partitionEpoch);
  },
  read(reader) {
    return {
      type: 'partition',
      topicId: reader.uuid(),
      partition: readPartitionIndex(reader),
      replicas: readNodeIds(reader, 'replicas'),
      isr: readNodeIds(reader, 'isr'),
      leader: readLeader(reader),
      leaderEpoch: readEpoch(reader),
      partitionEpoch: readEpoch(reader),
    };
  },
};

/** Marks which of a partition change's optional fields follow. */
const changeHasLeader = 1;

const partitionChange: RecordLayout<RecordOf<'partitionChange'>> = {
  typeId: 7,
  version: 0,
  write(writer, record) {
    writer.uuid(record.topicId);
    writer.int32(record.partition);
    writer.int8(record.leader === null ? 0 : changeHasLeader);
    if (record.leader !== null) writer.int32(record.leader);
    writeNullableNodeIds(writer, record.isr);
    writeNullableNodeIds(writer, record.replicas);
  },
  read(reader) {
    const topicId = reader.uuid();
    const partitionIndex = readPartitionIndex(reader);
    const flags = reader.int8();
    if (flags !== 0 && flags !== changeHasLeader)
      throw new DecodeError(`partition change flags ${flags}`);
    const leader = flags === changeHasLeader ? readLeader(reader) : null;
    const isr = readNullableNodeIds(reader, 'isr');
    const replicas = readNullableNodeIds(reader, 'replicas');
    return { type: 'partitionChange', topicId, partition: partitionIndex, leader, isr, replicas };
  },
};

const removeTopic: RecordLayout<RecordOf<'removeTopic'>> = {
  typeId: 8,
  version: 0,
  write: (writer, record) => writer.uuid(record.topicId),
  read: (reader) => ({ type: 'removeTopic', topicId: reader.uuid() }),
};

const resourceTypeIds = { topic: 2, broker: 4 } as const;

const config: RecordLayout<RecordOf<'config'>> = {
  typeId: 9,
  version: 0,
  write(writer, record) {
    writer.int8(resourceTypeIds[record.resourceType]);
    writeString(writer, record.resourceName);
    writeString(writer, record.key);
    writeNullableString(writer, record.value);
  },
  read(reader) {
    const typeId = reader.int8();
    if (typeId !== resourceTypeIds.topic && typeId !== resourceTypeIds.broker) {
      throw new DecodeError(`config resource type ${typeId}`);
    }
    return {
      type: 'config',
      resourceType: typeId === resourceTypeIds.topic ? 'topic' : 'broker',
      resourceName: readString(reader, 'config resource name'),
      key: readString(reader, 'config key'),
      value: readNullableString(reader, 'config value'),
    };
  },
};

const producerIdsBlock: RecordLayout<RecordOf<'producerIdsBlock'>> = {
  typeId: 10,
  version: 0,
  write(writer, record) {
    writer.int32(record.brokerId);
    writer.int64(record.firstProducerId);
    writer.int32(record.size);
  },
  read(reader) {
    const brokerId = readNodeId(reader);
    const firstProducerId = readNonNegativeInt64(reader, 'first producer id');
    const size = reader.int32();
    if (size < 1) throw new DecodeError(`producer id block of size ${size}`);
    if (firstProducerId + size > Number.MAX_SAFE_INTEGER)
      throw new DecodeError('producer id block beyond 2^53');
    return { type: 'producerIdsBlock', brokerId, firstProducerId, size };
  },
};

const leaderChange: RecordLayout<RecordOf<'leaderChange'>> = {
  typeId: 11,
  version: 0,
  write(writer, record) {
    writer.int32(record.leaderId);
    writer.int32(record.epoch);
  },
  read: (reader) => ({
    type: 'leaderChange',
    leaderId: readNodeId(reader),
    epoch: readEpoch(reader),
  }),
};

function readBool(reader: Reader): boolean {
  const byte = reader.int8();
  if (byte !== 0 && byte !== 1) throw new DecodeError(`boolean byte ${byte}`);
  return byte === 1;
}

export const recordLayouts: Layouts = {
  registerBroker,
  unregisterBroker: nodeIdOnly('unregisterBroker', 2),
  fenceBroker: nodeIdOnly('fenceBroker', 3),
  unfenceBroker: nodeIdOnly('unfenceBroker', 4),
  topic,
  partition,
  partitionChange,
  removeTopic,
  config,
  producerIdsBlock,
  leaderChange,
};
