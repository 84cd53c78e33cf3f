/**
 * Taking on and giving up an offsets partition: its records are replayed into groups that
 * come alive once the whole partition is read, and when this node stops leading it, its
 * groups go and whatever waits on them is answered NOT_COORDINATOR.
 */
import { assert } from '@rill/base';
import { ErrorCode } from '@rill/protocol';
import type { Now } from '../core-types.js';
import type { GroupRecord } from '../group-records.js';
import { emptyBytes, Group, Member } from '../group.js';
import { settle } from './append-outcomes.js';
import type { CoordinatorState, LoadingGroup } from './core-state.js';
import { prepareRebalance } from './rebalance.js';

/**
 * This node now leads offsets partition `partition` at `epoch`: whatever it held of an
 * older epoch is dropped, and requests for its groups get COORDINATOR_LOAD_IN_PROGRESS
 * until completeLoad.
 */
export function beginLoad(state: CoordinatorState, partition: number, epoch: number): void {
  unload(state, partition);
  state.shards.set(partition, { status: 'loading', epoch, groups: new Map() });
}

/** One record read from the partition, in log order. */
export function replay(state: CoordinatorState, partition: number, epoch: number, record: GroupRecord): void {
  const shard = state.shards.get(partition);
  assert(shard?.status === 'loading' && shard.epoch === epoch, `replay into offsets partition ${partition} that is not loading at ${epoch}`);
  let loading = shard.groups.get(record.groupId);
  if (loading === undefined) {
    loading = { metadata: null, offsets: new Map() };
    shard.groups.set(record.groupId, loading);
  }
  if (record.kind === 'group') {
    loading.metadata = record.value;
    return;
  }
  let byPartition = loading.offsets.get(record.topic);
  if (record.value === null) {
    byPartition?.delete(record.partition);
    if (byPartition?.size === 0) loading.offsets.delete(record.topic);
    return;
  }
  if (byPartition === undefined) {
    byPartition = new Map();
    loading.offsets.set(record.topic, byPartition);
  }
  byPartition.set(record.partition, record.value);
}

/** The whole partition was replayed: its groups come alive, members on a fresh session. */
export function completeLoad(state: CoordinatorState, partition: number, epoch: number, at: Now): void {
  const shard = state.shards.get(partition);
  assert(shard?.status === 'loading' && shard.epoch === epoch, `offsets partition ${partition} is not loading at ${epoch}`);
  state.shards.set(partition, { status: 'active', epoch });
  for (const [groupId, loading] of shard.groups) {
    if (loading.metadata === null && loading.offsets.size === 0) continue;
    // Only if __consumer_offsets gained partitions: the group now lives elsewhere.
    if (state.groups.has(groupId)) {
      state.options.trace?.(`${groupId}: stored in offsets partition ${partition} but already coordinated from another; skipped`);
      continue;
    }
    loadGroup(state, groupId, partition, loading, at);
  }
}

function loadGroup(state: CoordinatorState, groupId: string, partition: number, loading: LoadingGroup, at: Now): void {
  const stored = loading.metadata;
  const protocolName = stored?.protocolName ?? null;
  const withMembers = stored !== null && stored.members.length > 0 && stored.protocolType !== '' && protocolName !== null;
  const stateTimestamp = stored !== null && stored.currentStateTimestampMs >= 0 ? stored.currentStateTimestampMs : null;
  const group = new Group(groupId, partition, withMembers ? 'Stable' : 'Empty', stateTimestamp);
  state.groups.set(groupId, group);
  for (const [topic, byPartition] of loading.offsets) {
    for (const [p, value] of byPartition) group.setOffset(topic, p, value);
  }
  if (stored === null) return;
  group.generationId = stored.generationId;
  group.protocolType = stored.protocolType === '' ? null : stored.protocolType;
  if (!withMembers) return;
  group.protocolName = protocolName;
  for (const m of stored.members) {
    const member = new Member({
      memberId: m.memberId,
      protocolType: stored.protocolType,
      clientId: m.clientId,
      clientHost: m.clientHost,
      sessionTimeoutMs: m.sessionTimeoutMs,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs >= 0 ? m.rebalanceTimeoutMs : m.sessionTimeoutMs,
      protocols: [{ name: protocolName!, metadata: m.subscription }],
    });
    member.assignment = m.assignment;
    state.addMember(group, member);
    state.timers.scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
  }
  group.leaderId = stored.leaderId !== null && group.has(stored.leaderId) ? stored.leaderId : group.leaderId;
  state.trace(group, `loaded at generation ${group.generationId} with ${group.size} members`);
  if (group.size > state.options.groupMaxSize) prepareRebalance(state, group, at, 'loaded over group.max.size');
}

/**
 * This node no longer leads the partition: its groups go, parked requests and writes in
 * flight are answered NOT_COORDINATOR (the client finds the new coordinator).
 */
export function unload(state: CoordinatorState, partition: number): void {
  if (!state.shards.delete(partition)) return;
  for (const group of [...state.groups.values()]) {
    if (group.partition !== partition) continue;
    for (const member of group.members.values()) {
      if (member.awaitingJoin !== null) state.outbox.joinFailed(member.awaitingJoin, ErrorCode.NOT_COORDINATOR, member.memberId);
      if (member.awaitingSync !== null) state.outbox.replySync(member.awaitingSync, { errorCode: ErrorCode.NOT_COORDINATOR, assignment: emptyBytes });
      member.awaitingJoin = null;
      member.awaitingSync = null;
    }
    state.dropGroup(group, 'coordinator moved');
  }
  for (const continuation of state.outbox.takeAllFor(partition)) settle(state, continuation, ErrorCode.NOT_LEADER_OR_FOLLOWER, null);
}
