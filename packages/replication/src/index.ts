export {
  LeaderEpochCache,
  undefinedEpoch,
  undefinedEpochOffset,
  undefinedEpochEndOffset,
  type EpochEntry,
  type EpochEndOffset,
} from './leader-epoch-cache.js';
export {
  firstEpochToAsk,
  truncationStep,
  type TruncationInput,
  type TruncationStep,
} from './truncation.js';
export {
  PartitionLeader,
  defaultRetryBackoffMs,
  type AcksAllStatus,
  type BrokerState,
  type FollowerFetch,
  type IsrOutcome,
  type IsrProposal,
  type PartitionLeaderOptions,
} from './partition-leader.js';
export {
  PartitionFollower,
  type FollowerState,
  type PartitionFollowerOptions,
} from './partition-follower.js';
export { BrokerLease } from './broker-lease.js';
export * as replicationLimits from './limits.js';
