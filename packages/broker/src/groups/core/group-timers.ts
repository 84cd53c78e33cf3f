/**
 * The core's deadlines, one kind per thing that can run out: a member's session, a pending
 * member's chance to join with the id it was given, a group's join phase and its sync
 * phase. Each has a key, so that scheduling it again replaces its deadline and a group's
 * timers can be cancelled when it goes.
 */
import type { Now } from '../core-types.js';
import type { Group, Member } from '../group.js';
import { TimerQueue } from '../timer-queue.js';

/** A new group's delayed first rebalance: the delay now, and what is left of the rebalance timeout after it. */
export interface InitialDelay {
  readonly delayMs: number;
  readonly remainingMs: number;
}

export type TimerEvent =
  | { readonly kind: 'heartbeat'; readonly groupId: string; readonly memberId: string }
  | { readonly kind: 'pendingMember'; readonly groupId: string; readonly memberId: string }
  /** `initial` is set for the delayed first rebalance of an empty group. */
  | { readonly kind: 'join'; readonly groupId: string; readonly initial: InitialDelay | null }
  | { readonly kind: 'sync'; readonly groupId: string; readonly generationId: number };

export class GroupTimers {
  readonly #queue = new TimerQueue<TimerEvent>();

  nextDeadlineMs(): number {
    return this.#queue.nextDeadlineMs();
  }

  /** Removes and returns the earliest timer due at `nowMs`, or null. */
  popDue(nowMs: number): TimerEvent | null {
    return this.#queue.popDue(nowMs)?.value ?? null;
  }

  /** The member's session: it ends `timeoutMs` from now unless renewed. */
  scheduleHeartbeat(group: Group, member: Member, at: Now, timeoutMs: number): void {
    const { groupId } = group;
    const { memberId } = member;
    this.#queue.schedule(heartbeatKey(groupId, memberId), at.nowMs + timeoutMs, { kind: 'heartbeat', groupId, memberId });
  }

  schedulePendingMember(group: Group, memberId: string, deadlineMs: number): void {
    const { groupId } = group;
    this.#queue.schedule(pendingMemberKey(groupId, memberId), deadlineMs, { kind: 'pendingMember', groupId, memberId });
  }

  scheduleJoin(group: Group, deadlineMs: number, initial: InitialDelay | null): void {
    this.#queue.schedule(joinKey(group.groupId), deadlineMs, { kind: 'join', groupId: group.groupId, initial });
  }

  scheduleSync(group: Group, deadlineMs: number): void {
    const { groupId, generationId } = group;
    this.#queue.schedule(syncKey(groupId), deadlineMs, { kind: 'sync', groupId, generationId });
  }

  cancelHeartbeat(group: Group, memberId: string): void {
    this.#queue.cancel(heartbeatKey(group.groupId, memberId));
  }

  cancelPendingMember(group: Group, memberId: string): void {
    this.#queue.cancel(pendingMemberKey(group.groupId, memberId));
  }

  cancelJoin(group: Group): void {
    this.#queue.cancel(joinKey(group.groupId));
  }

  cancelSync(group: Group): void {
    this.#queue.cancel(syncKey(group.groupId));
  }

  /** Every timer of the group and of its members and pending members. */
  cancelAll(group: Group): void {
    this.cancelJoin(group);
    this.cancelSync(group);
    for (const memberId of group.members.keys()) this.cancelHeartbeat(group, memberId);
    for (const memberId of group.pendingMembers) this.cancelPendingMember(group, memberId);
  }
}

function heartbeatKey(groupId: string, memberId: string): string {
  return `heartbeat\u0000${groupId}\u0000${memberId}`;
}

function pendingMemberKey(groupId: string, memberId: string): string {
  return `pending\u0000${groupId}\u0000${memberId}`;
}

function joinKey(groupId: string): string {
  return `join\u0000${groupId}`;
}

function syncKey(groupId: string): string {
  return `sync\u0000${groupId}`;
}
