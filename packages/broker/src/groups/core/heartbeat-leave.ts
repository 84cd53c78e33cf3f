/** Heartbeat and LeaveGroup: a member renews its session, or ends it. */
import { ErrorCode } from '@rill/protocol';
import type { HeartbeatRequest, LeaveRequest, Now } from '../core-types.js';
import type { CoordinatorState } from './core-state.js';
import { completeJoinIfAllJoined, removeMemberAndUpdate } from './rebalance.js';

export function heartbeat(state: CoordinatorState, request: HeartbeatRequest, at: Now): void {
  const answer = (errorCode: number): void => state.outbox.reply({ kind: 'heartbeat', requestId: request.requestId, errorCode });
  const status = state.groupStatus(request.partition, request.groupId, true);
  // Kafka answers heartbeats blindly while it loads: the member keeps its place meanwhile.
  if (status === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return answer(ErrorCode.NONE);
  if (status !== ErrorCode.NONE) return answer(status);
  const found = state.memberOfGeneration(request);
  if (typeof found === 'number') return answer(found);
  const { group, member } = found;
  switch (group.state) {
    case 'Empty':
      return answer(ErrorCode.UNKNOWN_MEMBER_ID);
    case 'PreparingRebalance':
      state.timers.scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
      return answer(ErrorCode.REBALANCE_IN_PROGRESS);
    case 'CompletingRebalance':
    case 'Stable':
      state.timers.scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
      return answer(ErrorCode.NONE);
  }
}

export function leave(state: CoordinatorState, request: LeaveRequest, at: Now): void {
  const answer = (errorCode: number): void => state.outbox.reply({ kind: 'leave', requestId: request.requestId, errorCode });
  const status = state.groupStatus(request.partition, request.groupId, true);
  if (status !== ErrorCode.NONE) return answer(status);
  const group = state.groups.get(request.groupId);
  if (group === undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
  if (group.state === 'Dead') return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (group.pendingMembers.has(request.memberId)) {
    state.dropPendingMember(group, request.memberId);
    completeJoinIfAllJoined(state, group, at);
    return answer(ErrorCode.NONE);
  }
  const member = group.members.get(request.memberId);
  if (member === undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
  removeMemberAndUpdate(state, group, member, at, 'left the group');
  answer(ErrorCode.NONE);
}
