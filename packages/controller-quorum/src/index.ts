export {};
export { isLeaderChangeEntry } from './raft/transitions.js';
export type { FollowerState, HardState, ProposeResult, RaftEffects, RaftOptions, StoredRaftState } from './raft/types.js';
export type { RaftError, RaftMessage, RaftMessageKind } from './raft/messages.js';
export * from './metadata/index.js';
export * from './controller/index.js';
