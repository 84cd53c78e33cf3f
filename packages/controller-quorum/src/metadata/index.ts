export { MetadataDelta, replayAll } from './delta.js';
export {
  emptyImage,
  isBrokerLive,
  liveBrokerIds,
  nextProducerId,
  type BrokerRegistration,
  type ClusterImage,
  type ConfigEntries,
  type ConfigsImage,
  type MetadataImage,
  type PartitionRegistration,
  type ProducerIdBlock,
  type ProducerIdsImage,
  type Provenance,
  type TopicImage,
  type TopicsImage,
} from './image.js';
export { imageHash } from './image-hash.js';
export type { LocalChanges, LocalDelete, LocalReplica } from './local-changes.js';
export { MetadataLoader, type MetadataPublisher, type MetadataUpdate } from './loader.js';
export {
  decodeEntryPayload,
  decodeRecord,
  encodeEntryPayload,
  encodeRecord,
} from './record-codec.js';
export * from './records.js';
export { decodeSnapshot, encodeSnapshot } from './snapshot.js';
