/**
 * The moves of a rebalance that JoinGroup, SyncGroup, LeaveGroup and the timers share:
 * starting one, ending the join phase with a new generation, handing out (or failing) the
 * assignment, and taking a member out so the group moves on.
 */
import { assert } from '@rill/base';
import { ErrorCode } from '@rill/protocol';
import type { JoinMember, JoinResult, Now } from '../core-types.js';
import { canRebalance } from '../group-state.js';
import { emptyBytes, type Group, type Member } from '../group.js';
import type { CoordinatorState } from './core-state.js';
import { groupMetadataRecord } from './group-writes.js';

export function maybePrepareRebalanceOrCompleteJoin(state: CoordinatorState, group: Group, at: Now, reason: string): void {
  if (canRebalance(group.state)) {
    prepareRebalance(state, group, at, reason);
  } else if (group.state === 'PreparingRebalance' && group.hasAllMembersJoined() && group.previousState !== 'Empty') {
    completeJoin(state, group, at);
  }
}

export function prepareRebalance(state: CoordinatorState, group: Group, at: Now, reason: string): void {
  if (group.state === 'CompletingRebalance') resetAndPropagateAssignmentError(state, group, ErrorCode.REBALANCE_IN_PROGRESS, at);
  group.pendingSync.clear();
  state.timers.cancelSync(group);
  const initial = group.state === 'Empty';
  group.transitionTo('PreparingRebalance', at.wallMs);
  state.trace(group, `preparing rebalance from generation ${group.generationId} (${reason})`);
  if (initial) {
    // A new group waits group.initial.rebalance.delay.ms for more members to arrive.
    const delayMs = state.options.initialRebalanceDelayMs;
    const remainingMs = Math.max(group.rebalanceTimeoutMs - delayMs, 0);
    state.timers.scheduleJoin(group, at.nowMs + delayMs, { delayMs, remainingMs });
  } else if (group.hasAllMembersJoined()) {
    completeJoin(state, group, at);
  } else {
    state.timers.scheduleJoin(group, at.nowMs + group.rebalanceTimeoutMs, null);
  }
}

/** A join phase waiting only for members that are now gone or joined ends at once. */
export function completeJoinIfAllJoined(state: CoordinatorState, group: Group, at: Now): void {
  if (group.state === 'PreparingRebalance' && group.hasAllMembersJoined()) completeJoin(state, group, at);
}

/**
 * Ends the join phase: members that did not rejoin are dropped, the generation moves on,
 * and every member gets its answer (the leader with everyone's metadata), or the group
 * becomes Empty if nobody is left.
 */
export function completeJoin(state: CoordinatorState, group: Group, at: Now): void {
  assert(group.state === 'PreparingRebalance', `group ${group.groupId} completes a join in ${group.state}`);
  state.timers.cancelJoin(group);
  for (const member of [...group.members.values()]) {
    if (member.awaitingJoin === null) state.removeQuietly(group, member, 'did not rejoin in time');
  }
  const hasLeader = group.electJoinedLeader();
  assert(hasLeader || group.size === 0, 'every member left rejoined, so one leads');
  group.generationId++;
  if (group.size === 0) {
    group.protocolName = null;
    group.transitionTo('Empty', at.wallMs);
    state.trace(group, `empty at generation ${group.generationId}`);
    state.append(group.partition, [groupMetadataRecord(group, new Map(), at)], { kind: 'background', partition: group.partition });
    return;
  }
  group.protocolName = group.selectProtocol();
  group.transitionTo('CompletingRebalance', at.wallMs);
  state.trace(group, `generation ${group.generationId}: protocol ${group.protocolName}, leader ${group.leaderId}, ${group.size} members`);
  for (const member of group.members.values()) {
    const requestId = member.awaitingJoin!;
    member.awaitingJoin = null;
    member.isNew = false;
    state.outbox.replyJoin(requestId, joinAnswer(group, member, group.isLeader(member.memberId)));
    state.timers.scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
    group.pendingSync.add(member.memberId);
  }
  state.timers.scheduleSync(group, at.nowMs + group.rebalanceTimeoutMs);
}

/** This generation's JoinGroup answer for a member; `withMembers` for the leader. */
export function joinAnswer(group: Group, member: Member, withMembers: boolean): JoinResult {
  const protocolName = group.protocolName!;
  const members: JoinMember[] = withMembers
    ? [...group.members.values()].map((m) => ({ memberId: m.memberId, metadata: m.metadataFor(protocolName) }))
    : [];
  return {
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolName,
    leaderId: group.leaderId ?? '',
    memberId: member.memberId,
    members,
  };
}

export function resetAndPropagateAssignmentError(state: CoordinatorState, group: Group, errorCode: number, at: Now): void {
  assert(group.state === 'CompletingRebalance', `group ${group.groupId} resets assignments in ${group.state}`);
  for (const member of group.members.values()) state.setAssignment(member, emptyBytes);
  propagateAssignment(state, group, errorCode, at);
}

/** Answers every parked SyncGroup with the member's assignment, or with `errorCode`. */
export function propagateAssignment(state: CoordinatorState, group: Group, errorCode: number, at: Now): void {
  for (const member of group.members.values()) {
    if (member.awaitingSync === null) continue;
    const requestId = member.awaitingSync;
    member.awaitingSync = null;
    state.outbox.replySync(requestId, { errorCode, assignment: member.assignment });
    state.timers.scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
  }
}

/** Removes a member, answering what it has parked, and moves the group on. */
export function removeMemberAndUpdate(state: CoordinatorState, group: Group, member: Member, at: Now, reason: string): void {
  if (member.awaitingJoin !== null) state.outbox.joinFailed(member.awaitingJoin, ErrorCode.UNKNOWN_MEMBER_ID, '');
  if (member.awaitingSync !== null) {
    state.outbox.replySync(member.awaitingSync, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: emptyBytes });
  }
  member.awaitingJoin = null;
  member.awaitingSync = null;
  state.removeQuietly(group, member, reason);
  switch (group.state) {
    case 'Stable':
    case 'CompletingRebalance':
      return maybePrepareRebalanceOrCompleteJoin(state, group, at, `member ${member.memberId} ${reason}`);
    case 'PreparingRebalance':
      return completeJoinIfAllJoined(state, group, at);
    case 'Empty':
    case 'Dead':
      return;
  }
}
