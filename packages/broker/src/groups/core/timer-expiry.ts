/** What happens when a deadline passes: a session ends, a pending member or a sync is given up, a join phase ends. */
import type { Now } from '../core-types.js';
import type { Group } from '../group.js';
import type { CoordinatorState } from './core-state.js';
import type { InitialDelay } from './group-timers.js';
import { completeJoin, completeJoinIfAllJoined, prepareRebalance, removeMemberAndUpdate } from './rebalance.js';

/** Fires every timer due at `at.nowMs`. */
export function fireDueTimers(state: CoordinatorState, at: Now): void {
  for (let event = state.timers.popDue(at.nowMs); event !== null; event = state.timers.popDue(at.nowMs)) {
    const group = state.groups.get(event.groupId);
    if (group === undefined) continue;
    switch (event.kind) {
      case 'heartbeat':
        onHeartbeatExpired(state, group, event.memberId, at);
        break;
      case 'pendingMember':
        onPendingMemberExpired(state, group, event.memberId, at);
        break;
      case 'join':
        onJoinTimer(state, group, event.initial, at);
        break;
      case 'sync':
        onSyncExpired(state, group, event.generationId, at);
        break;
    }
  }
}

function onHeartbeatExpired(state: CoordinatorState, group: Group, memberId: string, at: Now): void {
  const member = group.members.get(memberId);
  if (member === undefined) return;
  // A member waiting for our answer to a rebalance is alive: its request is parked here.
  if (!member.isNew && (member.awaitingJoin !== null || member.awaitingSync !== null)) return;
  removeMemberAndUpdate(state, group, member, at, 'session timed out');
}

/** A member id handed out with MEMBER_ID_REQUIRED that never came back in a JoinGroup. */
function onPendingMemberExpired(state: CoordinatorState, group: Group, memberId: string, at: Now): void {
  if (!group.pendingMembers.has(memberId)) return;
  state.dropPendingMember(group, memberId);
  state.trace(group, `pending member ${memberId} expired`);
  completeJoinIfAllJoined(state, group, at);
  state.dropIfUnused(group);
}

/** The join phase's deadline; during a new group's initial delay, a member that arrived extends it once more. */
function onJoinTimer(state: CoordinatorState, group: Group, initial: InitialDelay | null, at: Now): void {
  if (group.state !== 'PreparingRebalance') return;
  if (initial !== null && group.newMemberAdded && initial.remainingMs !== 0) {
    group.newMemberAdded = false;
    const delayMs = Math.min(state.options.initialRebalanceDelayMs, initial.remainingMs);
    const remainingMs = Math.max(initial.remainingMs - initial.delayMs, 0);
    state.timers.scheduleJoin(group, at.nowMs + delayMs, { delayMs, remainingMs });
    return;
  }
  completeJoin(state, group, at);
}

/** Members that got their JoinGroup answer but never synced within the rebalance timeout. */
function onSyncExpired(state: CoordinatorState, group: Group, generationId: number, at: Now): void {
  if (generationId !== group.generationId || group.pendingSync.size === 0) return;
  if (group.state !== 'CompletingRebalance' && group.state !== 'Stable') return;
  for (const memberId of [...group.pendingSync]) {
    const member = group.members.get(memberId);
    if (member !== undefined) state.removeQuietly(group, member, 'did not sync in time');
  }
  prepareRebalance(state, group, at, 'members did not sync in time');
}
