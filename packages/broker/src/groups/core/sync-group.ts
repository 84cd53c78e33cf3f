/** SyncGroup: members wait for the leader's assignment, which is stored before anyone gets it. */
import { ErrorCode } from '@rill/protocol';
import type { Now, SyncRequest } from '../core-types.js';
import { emptyBytes, type Group } from '../group.js';
import { storeGroupError } from './append-errors.js';
import type { CoordinatorState } from './core-state.js';
import { groupMetadataRecord } from './group-writes.js';
import type { Continuation } from './outbox.js';
import { maybePrepareRebalanceOrCompleteJoin, propagateAssignment, resetAndPropagateAssignmentError } from './rebalance.js';

export function sync(state: CoordinatorState, request: SyncRequest, at: Now): void {
  const fail = (errorCode: number): void => state.outbox.replySync(request.requestId, { errorCode, assignment: emptyBytes });
  const status = state.groupStatus(request.partition, request.groupId, true);
  if (status !== ErrorCode.NONE) return fail(status);
  const found = state.memberOfGeneration(request);
  if (typeof found === 'number') return fail(found);
  const { group, member } = found;
  switch (group.state) {
    case 'Empty':
      return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    case 'PreparingRebalance':
      return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    case 'CompletingRebalance':
      if (member.awaitingSync !== null) state.outbox.replySync(member.awaitingSync, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: emptyBytes });
      member.awaitingSync = request.requestId;
      group.pendingSync.delete(member.memberId);
      state.timers.scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
      if (group.isLeader(member.memberId)) storeAssignment(state, group, request.assignments, at);
      return;
    case 'Stable':
      group.pendingSync.delete(member.memberId);
      state.timers.scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
      return state.outbox.replySync(request.requestId, { errorCode: ErrorCode.NONE, assignment: member.assignment });
  }
}

/** The leader's assignment is persisted before anyone gets it; missing members get none. */
function storeAssignment(state: CoordinatorState, group: Group, assignments: SyncRequest['assignments'], at: Now): void {
  const given = new Map<string, Buffer>();
  for (const { memberId, assignment } of assignments) if (group.has(memberId)) given.set(memberId, assignment);
  const assignment = new Map<string, Buffer>();
  let bytes = 0;
  let held = 0;
  for (const member of group.members.values()) {
    const bytesOf = given.get(member.memberId) ?? emptyBytes;
    bytes += bytesOf.length;
    held += member.assignment.length;
    assignment.set(member.memberId, bytesOf);
  }
  const { recordBytesMax } = state.options;
  if (bytes > recordBytesMax || !state.fits(bytes - held)) {
    // Kafka fails the append with MESSAGE_TOO_LARGE and answers UNKNOWN_SERVER_ERROR.
    return assignmentFailed(state, group, ErrorCode.UNKNOWN_SERVER_ERROR, at);
  }
  for (const [memberId, bytesOf] of assignment) assignment.set(memberId, Buffer.from(bytesOf));
  const record = groupMetadataRecord(group, assignment, at);
  if (record.key.length + (record.value?.length ?? 0) > recordBytesMax) {
    return assignmentFailed(state, group, ErrorCode.UNKNOWN_SERVER_ERROR, at);
  }
  state.append(group.partition, [record], {
    kind: 'assignment',
    partition: group.partition,
    group,
    generationId: group.generationId,
    assignment,
  });
}

/** Stored: the members get their assignment and the group is Stable. Not stored: they get the error and the group rebalances. */
export function assignmentAppended(state: CoordinatorState, continuation: Extract<Continuation, { kind: 'assignment' }>, errorCode: number, at: Now): void {
  const { group } = continuation;
  // A member may have joined or left while the record was written: then it no longer counts.
  if (state.groups.get(group.groupId) !== group) return;
  if (group.state !== 'CompletingRebalance' || group.generationId !== continuation.generationId) return;
  if (errorCode !== ErrorCode.NONE) return assignmentFailed(state, group, storeGroupError(errorCode), at);
  for (const member of group.members.values()) state.setAssignment(member, continuation.assignment.get(member.memberId) ?? emptyBytes);
  propagateAssignment(state, group, ErrorCode.NONE, at);
  group.transitionTo('Stable', at.wallMs);
  state.rebalancesCompleted++;
  state.trace(group, `stable at generation ${group.generationId}`);
}

function assignmentFailed(state: CoordinatorState, group: Group, errorCode: number, at: Now): void {
  resetAndPropagateAssignmentError(state, group, errorCode, at);
  maybePrepareRebalanceOrCompleteJoin(state, group, at, `the assignment could not be stored (error ${errorCode})`);
}
