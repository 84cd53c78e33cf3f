/** OffsetCommit: offsets are checked, written, and take effect once their records are appended. */
import { ErrorCode } from '@rill/protocol';
import type { CommitRequest, Now } from '../core-types.js';
import { encodeGroupRecord, type EncodedRecord, type OffsetCommitValue } from '../group-records.js';
import { topicPartitionKey, type Group } from '../group.js';
import { commitError } from './append-errors.js';
import type { CoordinatorState } from './core-state.js';
import type { AppliedOffset, Continuation } from './outbox.js';

export function commitOffsets(state: CoordinatorState, request: CommitRequest, at: Now): void {
  const all = (errorCode: number): void =>
    state.outbox.reply({ kind: 'commit', requestId: request.requestId, errorCodes: request.offsets.map(() => errorCode) });
  const status = state.groupStatus(request.partition, request.groupId, false);
  if (status !== ErrorCode.NONE) return all(status);
  let group = state.groups.get(request.groupId);
  const created = group === undefined;
  if (group === undefined) {
    // A consumer that only stores offsets here (generation -1) gets a group of its own.
    if (request.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
    if (state.groups.size >= state.options.groupsMax) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    group = state.createGroup(request.groupId, request.partition, at);
  }
  commitTo(state, group, request, at, all);
  if (created) state.dropIfUnused(group);
}

function commitTo(state: CoordinatorState, group: Group, request: CommitRequest, at: Now, all: (errorCode: number) => void): void {
  if (group.state === 'Dead') return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (request.generationId < 0 && group.state === 'Empty') return storeOffsets(state, group, request, at);
  const member = group.members.get(request.memberId);
  if (member === undefined) return all(ErrorCode.UNKNOWN_MEMBER_ID);
  // I8: a member of an older generation must not overwrite what the current one commits.
  if (request.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
  switch (group.state) {
    case 'Stable':
    case 'PreparingRebalance':
      // Commits stay allowed while rebalancing, so members can commit before they rejoin.
      state.timers.scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
      return storeOffsets(state, group, request, at);
    case 'CompletingRebalance':
      return all(ErrorCode.REBALANCE_IN_PROGRESS);
    case 'Empty':
      return all(ErrorCode.UNKNOWN_MEMBER_ID);
  }
}

function storeOffsets(state: CoordinatorState, group: Group, request: CommitRequest, at: Now): void {
  const errorCodes: number[] = [];
  const records: EncodedRecord[] = [];
  const applied: AppliedOffset[] = [];
  request.offsets.forEach((o, index) => {
    if (o.metadata !== null && o.metadata.length > state.options.offsetMetadataMaxBytes) {
      errorCodes.push(ErrorCode.OFFSET_METADATA_TOO_LARGE);
      return;
    }
    const value: OffsetCommitValue = {
      offset: o.offset,
      leaderEpoch: -1,
      metadata: o.metadata ?? '',
      commitTimestampMs: at.wallMs,
      expireTimestampMs: request.retentionTimeMs >= 0 ? at.wallMs + request.retentionTimeMs : -1,
    };
    errorCodes.push(ErrorCode.NONE);
    records.push(encodeGroupRecord({ kind: 'offset', groupId: group.groupId, topic: o.topic, partition: o.partition, value }));
    applied.push({ index, topic: o.topic, partition: o.partition, value });
  });
  if (records.length === 0) return state.outbox.reply({ kind: 'commit', requestId: request.requestId, errorCodes });
  for (const { topic, partition } of applied) {
    const key = topicPartitionKey(topic, partition);
    group.pendingCommits.set(key, (group.pendingCommits.get(key) ?? 0) + 1);
  }
  state.append(group.partition, records, {
    kind: 'commit',
    partition: group.partition,
    group,
    requestId: request.requestId,
    errorCodes,
    applied,
  });
}

/** The commit's records are appended, or failed: the offsets take effect, or each gets the error. */
export function commitAppended(state: CoordinatorState, continuation: Extract<Continuation, { kind: 'commit' }>, errorCode: number): void {
  const { group, errorCodes } = continuation;
  const current = state.groups.get(group.groupId) === group;
  for (const { index, topic, partition, value } of continuation.applied) {
    const key = topicPartitionKey(topic, partition);
    const count = (group.pendingCommits.get(key) ?? 1) - 1;
    if (count === 0) group.pendingCommits.delete(key);
    else group.pendingCommits.set(key, count);
    if (errorCode === ErrorCode.NONE && current) group.setOffset(topic, partition, value);
    errorCodes[index] = errorCode === ErrorCode.NONE ? ErrorCode.NONE : commitError(errorCode);
  }
  state.outbox.reply({ kind: 'commit', requestId: continuation.requestId, errorCodes });
  if (current) state.dropIfUnused(group);
}
