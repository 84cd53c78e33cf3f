/** DeleteGroups: Empty groups go at once; the tombstones for them and their offsets are answered for once appended. */
import { ErrorCode } from '@rill/protocol';
import type { DeleteRequest, GroupResult, Now } from '../core-types.js';
import type { EncodedRecord } from '../group-records.js';
import { commitError } from './append-errors.js';
import type { CoordinatorState } from './core-state.js';
import { allOffsetKeys, tombstones } from './group-writes.js';
import type { Continuation } from './outbox.js';

/** Deletes Empty groups of one offsets partition: tombstones for the group and its offsets. */
export function deleteGroups(state: CoordinatorState, request: DeleteRequest, at: Now): void {
  const results: GroupResult[] = [];
  const records: EncodedRecord[] = [];
  for (const groupId of request.groupIds) {
    const status = state.groupStatus(request.partition, groupId, false);
    const group = state.groups.get(groupId);
    if (status !== ErrorCode.NONE) {
      results.push({ groupId, errorCode: status });
    } else if (group === undefined || group.state === 'Dead') {
      results.push({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
    } else if (group.state !== 'Empty' || group.pendingMembers.size > 0) {
      results.push({ groupId, errorCode: ErrorCode.NON_EMPTY_GROUP });
    } else {
      records.push(...tombstones(group, allOffsetKeys(group)));
      group.transitionTo('Dead', at.wallMs);
      state.dropGroup(group, 'deleted');
      results.push({ groupId, errorCode: ErrorCode.NONE });
    }
  }
  if (records.length === 0) return state.outbox.reply({ kind: 'delete', requestId: request.requestId, results });
  state.append(request.partition, records, { kind: 'delete', partition: request.partition, requestId: request.requestId, results });
}

/** A deleted group whose tombstones failed to append gets the error a failed commit would. */
export function deleteAppended(state: CoordinatorState, continuation: Extract<Continuation, { kind: 'delete' }>, errorCode: number): void {
  const results = continuation.results.map((r) =>
    r.errorCode === ErrorCode.NONE && errorCode !== ErrorCode.NONE ? { ...r, errorCode: commitError(errorCode) } : r,
  );
  state.outbox.reply({ kind: 'delete', requestId: continuation.requestId, results });
}
