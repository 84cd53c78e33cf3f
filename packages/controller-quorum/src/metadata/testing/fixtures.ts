import { MetadataDelta } from '../delta.js';
import { emptyImage, type MetadataImage } from '../image.js';
import type { MetadataRecord, PartitionRecord, RegisterBrokerRecord } from '../records.js';

/** Small builders for tests of the metadata image and the controller. */

export function topicIdFor(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function registerBroker(
  nodeId: number,
  options: { rack?: string; fenced?: boolean } = {},
): RegisterBrokerRecord {
  return {
    type: 'registerBroker',
    nodeId,
    incarnationId: topicIdFor(1000 + nodeId),
    endpoints: [{ name: 'PLAINTEXT', host: `node${nodeId}`, port: 9092 }],
    internalAddress: { host: `node${nodeId}`, port: 9093 },
    rack: options.rack ?? null,
    fenced: options.fenced ?? false,
  };
}

export function partitionRecord(
  topicId: string,
  partition: number,
  replicas: readonly number[],
): PartitionRecord {
  return {
    type: 'partition',
    topicId,
    partition,
    replicas,
    isr: replicas,
    leader: replicas[0],
    leaderEpoch: 0,
    partitionEpoch: 0,
  };
}

/** Replays records onto `image` at the next offset. */
export function replayed(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  const delta = new MetadataDelta(image);
  for (const record of records) delta.replay(record);
  return delta.apply({
    offset: image.provenance.offset + 1,
    epoch: Math.max(image.provenance.epoch, 1),
  });
}

/** Live brokers 1..count, optionally with racks. */
export function clusterOf(count: number, racks: readonly string[] = []): MetadataImage {
  const records = Array.from({ length: count }, (_, i) => {
    const rack = racks[i];
    return registerBroker(i + 1, rack === undefined ? {} : { rack });
  });
  return replayed(emptyImage, records);
}

/** One record of each type, for codec tests. */
export const sampleRecords: readonly MetadataRecord[] = [
  registerBroker(1, { rack: 'rack-a', fenced: true }),
  registerBroker(2),
  { type: 'unregisterBroker', nodeId: 3 },
  { type: 'fenceBroker', nodeId: 1 },
  { type: 'unfenceBroker', nodeId: 2 },
  { type: 'topic', name: 'orders', topicId: topicIdFor(1) },
  {
    type: 'partition',
    topicId: topicIdFor(1),
    partition: 2,
    replicas: [1, 2, 3],
    isr: [1, 3],
    leader: 3,
    leaderEpoch: 7,
    partitionEpoch: 9,
  },
  {
    type: 'partitionChange',
    topicId: topicIdFor(1),
    partition: 0,
    leader: -1,
    isr: [2],
    replicas: null,
  },
  {
    type: 'partitionChange',
    topicId: topicIdFor(1),
    partition: 1,
    leader: null,
    isr: null,
    replicas: [4, 5],
  },
  { type: 'removeTopic', topicId: topicIdFor(2) },
  {
    type: 'config',
    resourceType: 'topic',
    resourceName: 'orders',
    key: 'retention.ms',
    value: '1000',
  },
  {
    type: 'config',
    resourceType: 'broker',
    resourceName: '',
    key: 'min.insync.replicas',
    value: null,
  },
  { type: 'producerIdsBlock', brokerId: 2, firstProducerId: 2 ** 40, size: 1000 },
  { type: 'leaderChange', leaderId: 3, epoch: 12 },
];
