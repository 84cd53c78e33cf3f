export { Admin, type AdminOptions, type ClusterDescription, type OffsetSpec, type TopicDescription } from './admin/admin.js';
export type { ConfigChanges, ConfigEntry, ConfigResource, ConfigResourceType, ConfigSource } from './admin/configs.js';
export type { GroupDescription, GroupListing, GroupMember, OffsetReset, PartitionLag, ResetTarget } from './admin/groups.js';
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
