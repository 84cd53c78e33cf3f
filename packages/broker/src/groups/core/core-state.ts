/**
 * What the coordinator core holds, with the small steps every request kind takes on it:
 * the groups, the offsets partitions coordinated here, the timers and the outbox. Members
 * and the bytes they hold are counted against the coordinator's bounds only here, so the
 * counts cannot drift from what the groups hold (checkAccounting).
 */
import { assert } from '@rill/base';
import { ErrorCode } from '@rill/protocol';
import type { CoreOptions, Now } from '../core-types.js';
import type { EncodedRecord, GroupMetadataValue } from '../group-records.js';
import { Group, type Member, type OffsetsByTopic, type Protocol } from '../group.js';
import { GroupTimers } from './group-timers.js';
import { Outbox, type Continuation } from './outbox.js';

/** A group as read so far from its offsets partition. */
export interface LoadingGroup {
  metadata: GroupMetadataValue | null;
  readonly offsets: OffsetsByTopic;
}

export type Shard =
  | { readonly status: 'loading'; readonly epoch: number; readonly groups: Map<string, LoadingGroup> }
  | { readonly status: 'active'; readonly epoch: number };

export class CoordinatorState {
  readonly options: CoreOptions;
  readonly groups = new Map<string, Group>();
  /** The offsets partitions this node coordinates, by partition. */
  readonly shards = new Map<number, Shard>();
  readonly timers = new GroupTimers();
  readonly outbox = new Outbox();
  /** Rebalances that ended with the group Stable in a new generation. */
  rebalancesCompleted = 0;
  /** Members and pending members over all groups. */
  #memberCount = 0;
  /** Protocol metadata and assignment bytes held for all members. */
  #heldBytes = 0;

  constructor(options: CoreOptions) {
    this.options = options;
  }

  get memberCount(): number {
    return this.#memberCount;
  }

  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Recounts members and held bytes from the groups and asserts the running counts agree. */
  checkAccounting(): void {
    let members = 0;
    let bytes = 0;
    for (const group of this.groups.values()) {
      members += group.size + group.pendingMembers.size;
      for (const member of group.members.values()) bytes += member.heldBytes;
    }
    assert(members === this.#memberCount, `member count ${this.#memberCount} but ${members} members held`);
    assert(bytes === this.#heldBytes, `held bytes ${this.#heldBytes} but members hold ${bytes}`);
  }

  /** Appends records to an offsets partition coordinated here, at the epoch it was loaded at. */
  append(partition: number, records: readonly EncodedRecord[], continuation: Continuation): void {
    const shard = this.shards.get(partition);
    assert(shard?.status === 'active', `append to offsets partition ${partition} that is not loaded`);
    this.outbox.append(partition, shard.epoch, records, continuation);
  }

  trace(group: Group, text: string): void {
    this.options.trace?.(`${group.groupId}: ${text}`);
  }

  /** Whether this node can answer for the group now: the checks Kafka makes before any state table. */
  groupStatus(partition: number, groupId: string, requireGroupId: boolean): number {
    if (requireGroupId && groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const shard = this.shards.get(partition);
    if (shard === undefined) return ErrorCode.NOT_COORDINATOR;
    if (shard.status === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /**
   * The member a SyncGroup or Heartbeat names, in the group's current generation; else the
   * error Kafka answers: an unknown group or member, a dead group, an older generation.
   */
  memberOfGeneration(request: { groupId: string; memberId: string; generationId: number }): { group: Group; member: Member } | number {
    const group = this.groups.get(request.groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const member = group.members.get(request.memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return { group, member };
  }

  /** Whether `bytes` more member metadata or assignments fit the coordinator's budget. */
  fits(bytes: number): boolean {
    return this.#heldBytes + bytes <= this.options.heldBytesMax;
  }

  createGroup(groupId: string, partition: number, at: Now): Group {
    const group = new Group(groupId, partition, 'Empty', at.wallMs);
    this.groups.set(groupId, group);
    return group;
  }

  /** A group created by a request that then failed holds nothing: forget it again. */
  dropIfUnused(group: Group): void {
    const unused = group.state === 'Empty' && group.generationId === 0 && group.size === 0 && group.pendingMembers.size === 0 && !group.hasOffsets;
    if (unused && this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
  }

  /** Forgets the group with its members and timers, answering nothing. */
  dropGroup(group: Group, reason: string): void {
    this.groups.delete(group.groupId);
    this.timers.cancelAll(group);
    this.#memberCount -= group.size + group.pendingMembers.size;
    for (const member of group.members.values()) this.#heldBytes -= member.heldBytes;
    this.trace(group, `dropped: ${reason}`);
  }

  addMember(group: Group, member: Member): void {
    group.add(member);
    this.#memberCount++;
    this.#heldBytes += member.heldBytes;
  }

  updateProtocols(group: Group, member: Member, protocols: readonly Protocol[]): void {
    this.#heldBytes -= member.heldBytes;
    group.updateProtocols(member, protocols);
    this.#heldBytes += member.heldBytes;
  }

  setAssignment(member: Member, assignment: Buffer): void {
    this.#heldBytes += assignment.length - member.assignment.length;
    member.assignment = assignment;
  }

  /** A member id handed out with MEMBER_ID_REQUIRED, kept until `deadlineMs` for its JoinGroup. */
  addPendingMember(group: Group, memberId: string, deadlineMs: number): void {
    group.pendingMembers.add(memberId);
    this.#memberCount++;
    this.timers.schedulePendingMember(group, memberId, deadlineMs);
  }

  dropPendingMember(group: Group, memberId: string): void {
    group.pendingMembers.delete(memberId);
    this.timers.cancelPendingMember(group, memberId);
    this.#memberCount--;
  }

  /** Takes a member out without answering anything: it has nothing parked. */
  removeQuietly(group: Group, member: Member, reason: string): void {
    assert(member.awaitingJoin === null && member.awaitingSync === null, `member ${member.memberId} leaves with a request parked`);
    group.remove(member.memberId);
    this.timers.cancelHeartbeat(group, member.memberId);
    this.#memberCount--;
    this.#heldBytes -= member.heldBytes;
    this.trace(group, `member ${member.memberId} removed: ${reason}`);
  }
}
