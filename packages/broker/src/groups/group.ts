/**
 * One group's membership and committed offsets, as plain data with the small rules that
 * only look at the group itself (protocol votes, leader choice, who has joined). What
 * happens on a request or a timer lives in the coordinator core's files under core/.
 */
import { assert } from '@rill/base';
import { assertTransition, type GroupState } from './group-state.js';
import type { OffsetCommitValue } from './group-records.js';

export interface Protocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export const emptyBytes = Buffer.alloc(0);

export class Member {
  readonly memberId: string;
  readonly protocolType: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** The member's protocols in its order of preference, distinct by name. */
  protocols: readonly Protocol[];
  assignment: Buffer = emptyBytes;
  /** The parked JoinGroup request, if any. */
  awaitingJoin: number | null = null;
  /** The parked SyncGroup request, if any. */
  awaitingSync: number | null = null;
  /** Joined but not yet answered a first time: its session is the new-member join timeout. */
  isNew = false;

  constructor(options: {
    memberId: string;
    protocolType: string;
    clientId: string;
    clientHost: string;
    sessionTimeoutMs: number;
    rebalanceTimeoutMs: number;
    protocols: readonly Protocol[];
  }) {
    this.memberId = options.memberId;
    this.protocolType = options.protocolType;
    this.clientId = options.clientId;
    this.clientHost = options.clientHost;
    this.sessionTimeoutMs = options.sessionTimeoutMs;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs;
    this.protocols = options.protocols;
  }

  /** Bytes of protocol metadata and assignment this member holds. */
  get heldBytes(): number {
    return this.protocols.reduce((sum, p) => sum + p.metadata.length, 0) + this.assignment.length;
  }

  metadataFor(protocolName: string): Buffer {
    const found = this.protocols.find((p) => p.name === protocolName);
    assert(found !== undefined, `member ${this.memberId} does not support ${protocolName}`);
    return found.metadata;
  }

  /** Same protocols, same order, same metadata bytes. */
  matches(protocols: readonly Protocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata));
  }

  /** The member's most preferred protocol among the candidates. */
  vote(candidates: ReadonlySet<string>): string {
    const choice = this.protocols.find((p) => candidates.has(p.name));
    assert(choice !== undefined, `member ${this.memberId} supports none of the candidate protocols`);
    return choice.name;
  }
}

export type OffsetsByTopic = Map<string, Map<number, OffsetCommitValue>>;

export class Group {
  readonly groupId: string;
  /** The __consumer_offsets partition that stores this group. */
  readonly partition: number;
  #state: GroupState;
  previousState: GroupState | null = null;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Wall-clock time of the last state change, null when unknown (Kafka's currentStateTimestamp). */
  stateTimestampWallMs: number | null;
  /** In join order; the first joined member leads unless it is gone. */
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet. */
  readonly pendingMembers = new Set<string>();
  /** Members that got this generation's JoinGroup answer but have not sent SyncGroup. */
  readonly pendingSync = new Set<string>();
  /** A member joined during the initial rebalance delay, which then runs once more. */
  newMemberAdded = false;
  readonly offsets: OffsetsByTopic = new Map();
  /** Commits written but not yet acknowledged, per topic-partition key. */
  readonly pendingCommits = new Map<string, number>();
  readonly #protocolCounts = new Map<string, number>();

  constructor(groupId: string, partition: number, state: GroupState, stateTimestampWallMs: number | null) {
    this.groupId = groupId;
    this.partition = partition;
    this.#state = state;
    this.stateTimestampWallMs = stateTimestampWallMs;
  }

  get state(): GroupState {
    return this.#state;
  }

  transitionTo(state: GroupState, wallMs: number): void {
    assertTransition(this.groupId, this.#state, state);
    this.previousState = this.#state;
    this.#state = state;
    this.stateTimestampWallMs = wallMs;
  }

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  add(member: Member): void {
    assert(!this.members.has(member.memberId), `member ${member.memberId} joins twice`);
    if (this.members.size === 0) this.protocolType = member.protocolType;
    assert(this.protocolType === member.protocolType, 'a member of another protocol type was let in');
    assert(this.supportsProtocols(member.protocolType, member.protocols), 'a member with no common protocol was let in');
    this.leaderId ??= member.memberId;
    this.members.set(member.memberId, member);
    this.#count(member.protocols, 1);
  }

  /** Replaces a member's protocols, keeping the per-protocol counts right. */
  updateProtocols(member: Member, protocols: readonly Protocol[]): void {
    this.#count(member.protocols, -1);
    member.protocols = protocols;
    this.#count(protocols, 1);
  }

  remove(memberId: string): Member | undefined {
    const member = this.members.get(memberId);
    if (member === undefined) return undefined;
    this.members.delete(memberId);
    this.pendingSync.delete(memberId);
    this.#count(member.protocols, -1);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return member;
  }

  /**
   * Whether a member with these protocols may be in the group: an empty group takes any
   * protocol type with at least one protocol; otherwise the type must match and one of the
   * protocols must be supported by every current member.
   */
  supportsProtocols(protocolType: string, protocols: readonly Protocol[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0;
    return protocolType === this.protocolType && protocols.some((p) => this.#protocolCounts.get(p.name) === this.members.size);
  }

  get numAwaitingJoin(): number {
    let count = 0;
    for (const member of this.members.values()) if (member.awaitingJoin !== null) count++;
    return count;
  }

  hasAllMembersJoined(): boolean {
    return this.numAwaitingJoin === this.members.size && this.pendingMembers.size === 0;
  }

  /** The longest rebalance timeout of the members: how long a join phase may take. */
  get rebalanceTimeoutMs(): number {
    let longest = 0;
    for (const member of this.members.values()) longest = Math.max(longest, member.rebalanceTimeoutMs);
    return longest;
  }

  /**
   * Keeps the leader if it rejoined, else makes the first member that did the leader.
   * Returns whether the group has a leader that rejoined.
   */
  electJoinedLeader(): boolean {
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId);
    if (leader !== undefined && leader.awaitingJoin !== null) return true;
    for (const member of this.members.values()) {
      if (member.awaitingJoin !== null) {
        this.leaderId = member.memberId;
        return true;
      }
    }
    return false;
  }

  /** The protocol every member supports that most members prefer (ties: the leader's order). */
  selectProtocol(): string {
    const candidates = new Set<string>();
    for (const [name, count] of this.#protocolCounts) if (count === this.members.size) candidates.add(name);
    assert(candidates.size > 0, `group ${this.groupId} has no protocol all members support`);
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const choice = member.vote(candidates);
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    const leader = this.members.get(this.leaderId ?? '') ?? this.members.values().next().value!;
    let best: string | null = null;
    for (const { name } of leader.protocols) {
      const count = votes.get(name) ?? 0;
      if (count > 0 && (best === null || count > votes.get(best)!)) best = name;
    }
    assert(best !== null, 'the leader votes too');
    return best;
  }

  offset(topic: string, partition: number): OffsetCommitValue | undefined {
    return this.offsets.get(topic)?.get(partition);
  }

  setOffset(topic: string, partition: number, value: OffsetCommitValue | null): void {
    let byPartition = this.offsets.get(topic);
    if (value === null) {
      byPartition?.delete(partition);
      if (byPartition?.size === 0) this.offsets.delete(topic);
      return;
    }
    if (byPartition === undefined) {
      byPartition = new Map();
      this.offsets.set(topic, byPartition);
    }
    byPartition.set(partition, value);
  }

  get hasOffsets(): boolean {
    return this.offsets.size > 0 || this.pendingCommits.size > 0;
  }

  #count(protocols: readonly Protocol[], delta: number): void {
    for (const { name } of protocols) {
      const next = (this.#protocolCounts.get(name) ?? 0) + delta;
      assert(next >= 0, `protocol count for ${name} below zero`);
      if (next === 0) this.#protocolCounts.delete(name);
      else this.#protocolCounts.set(name, next);
    }
  }
}

/** The key of a topic-partition in maps of pending commits. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}
