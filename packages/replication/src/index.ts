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
export * as replicationLimits from './limits.js';
