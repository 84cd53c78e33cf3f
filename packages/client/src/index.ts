export {
  Admin,
  type AdminOptions,
  type ClusterDescription,
  type OffsetSpec,
  type TopicDescription,
} from './admin/admin.js';
export type {
  AlterConfigsOptions,
  ConfigChanges,
  ConfigEntry,
  ConfigResource,
  ConfigResourceType,
  ConfigSource,
} from './admin/configs.js';
export type { QuorumDescription, QuorumReplica } from './admin/quorum.js';
export type {
  GroupDescription,
  GroupListing,
  GroupMember,
  OffsetResetResult,
  PartitionLag,
  ResetTarget,
} from './admin/groups.js';
export type { CreateTopicsOptions, NewTopic } from './admin/topics.js';
export type { ClusterOptions } from './cluster/cluster.js';
export type { BrokerInfo, PartitionInfo } from './cluster/metadata.js';
export type { RetryOptions } from './cluster/retry.js';
export {
  ClosedError,
  ConnectionError,
  DeadlineExceededError,
  InvalidArgumentError,
  isRetriable,
  KafkaError,
  LimitExceededError,
  MultiError,
  ProtocolError,
  RequestTimeoutError,
  RillError,
  UnsupportedFeatureError,
  type KafkaErrorContext,
} from './errors.js';
export { consoleLogger, silentLogger, type Logger, type LogLevel } from './logger.js';
export { Producer, type ProducerRecord, type SendArgs } from './producer/producer.js';
export type { Acks, ProducerOptions } from './producer/options.js';
export {
  defaultPartitioner,
  keyedPartition,
  type Partitioner,
  type PartitionerInput,
} from './producer/partitioner.js';
export { murmur2, toPositive } from './producer/murmur2.js';
export type { Compression, RecordMetadata } from './producer/producer-batch.js';
export type { Bytes, RecordHeader } from './producer/record-writer.js';
export { Consumer, type ConsumerBatch, type GroupMetadata, type SeekTarget } from './consumer/consumer.js';
export type { AssignorName, ConsumerOptions, OffsetReset } from './consumer/options.js';
export type { ConsumerRecord } from './consumer/record-batches.js';
export type { TopicPartition } from './consumer/subscription-state.js';
