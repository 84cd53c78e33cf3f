/** DescribeGroups and ListGroups, and the per-group figures the metrics show: reads only. */
import { ErrorCode } from '@rill/protocol';
import type { GroupDescription, GroupListing } from '../core-types.js';
import type { GroupState } from '../group-state.js';
import { emptyBytes } from '../group.js';
import type { CoordinatorState } from './core-state.js';

/** One group's size and committed offsets, for the metrics. */
export interface GroupSnapshot {
  readonly groupId: string;
  readonly state: GroupState;
  readonly members: number;
  readonly offsets: readonly { readonly topic: string; readonly partition: number; readonly offset: number }[];
}

export function describeGroup(state: CoordinatorState, partition: number, groupId: string): GroupDescription {
  const status = state.groupStatus(partition, groupId, false);
  const blank = { groupId, protocolType: '', protocolName: '', members: [] };
  if (status !== ErrorCode.NONE) return { errorCode: status, state: '', ...blank };
  const group = state.groups.get(groupId);
  if (group === undefined) return { errorCode: ErrorCode.NONE, state: 'Dead', ...blank };
  const stable = group.state === 'Stable';
  return {
    errorCode: ErrorCode.NONE,
    groupId,
    state: group.state,
    protocolType: group.protocolType ?? '',
    protocolName: stable ? group.protocolName ?? '' : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: stable ? m.metadataFor(group.protocolName!) : emptyBytes,
      assignment: stable ? m.assignment : emptyBytes,
    })),
  };
}

export function listGroups(state: CoordinatorState): GroupListing {
  const loading = [...state.shards.values()].some((s) => s.status === 'loading');
  return {
    errorCode: loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE,
    groups: [...state.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '' })),
  };
}

export function snapshot(state: CoordinatorState): GroupSnapshot[] {
  return [...state.groups.values()].map((g) => ({
    groupId: g.groupId,
    state: g.state,
    members: g.size,
    offsets: [...g.offsets].flatMap(([topic, byPartition]) => [...byPartition].map(([partition, v]) => ({ topic, partition, offset: v.offset }))),
  }));
}
