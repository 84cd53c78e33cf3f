export {
  alterTopicConfigs,
  type AlterConfigsOutcome,
  type AlterTopicConfigsRequest,
  type ConfigOperationKind,
  type TopicConfigOperation,
} from './alter-configs.js';
export {
  alterPartition,
  type AlterPartitionItem,
  type AlterPartitionOutcome,
  type AlterPartitionRequest,
} from './alter-partition.js';
export {
  fenceBroker,
  registerBroker,
  unfenceBroker,
  unregisterBroker,
  type RegisterBrokerRequest,
} from './brokers.js';
export {
  createPartitions,
  type CreatePartitionsOutcome,
  type CreatePartitionsRequest,
} from './create-partitions.js';
export {
  createTopics,
  type CreateTopicOutcome,
  type CreateTopicRequest,
  type CreateTopicsOptions,
} from './create-topics.js';
export { deleteTopics, type DeleteTopicOutcome } from './delete-topics.js';
export { electionTarget, type ElectionOptions } from './partition-election.js';
export {
  electPreferredLeaders,
  type PreferredLeaderMove,
  type PreferredLeaderOptions,
} from './preferred-leaders.js';
export { placeReplicas, type PlacementBroker, type PlacementRequest } from './placement.js';
export { allocateProducerIds, type AllocateProducerIdsResponse } from './producer-ids.js';
export type { ControllerResult, Outcome } from './result.js';
export {
  listTopicConfigDefaults,
  supportedTopicConfigs,
  topicConfigProblem,
  topicNameProblem,
} from './topic-rules.js';
