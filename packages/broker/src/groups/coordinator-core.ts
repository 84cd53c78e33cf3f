/**
 * The group coordinator as a pure state machine (DESIGN §4, §7): requests, timer ticks,
 * append outcomes and loads of `__consumer_offsets` go in; replies and records to append
 * come out (drain()). No I/O, no clock, no randomness of its own: time arrives as `Now`
 * arguments, member ids come from the injected Random. Behaviour follows Kafka's classic
 * group coordinator; group-state.ts has the table of what each state answers.
 *
 * Durability: a group's assignment, its committed offsets and its deletion take effect
 * only once the driver reports their records appended with acks=all; whatever changes
 * before that (members joining, leaving, expiring) is soft state Kafka does not persist
 * either, rebuilt from heartbeats after a coordinator moves.
 */
import { assert } from '@rill/base';
import { ErrorCode } from '@rill/protocol';
import type {
  AppendRequest,
  CommitRequest,
  CoreEffects,
  CoreOptions,
  DeleteRequest,
  FetchedOffsets,
  GroupDescription,
  GroupListing,
  GroupResult,
  HeartbeatRequest,
  JoinMember,
  JoinRequest,
  JoinResult,
  LeaveRequest,
  Now,
  OffsetToCommit,
  SyncRequest,
  SyncResult,
} from './core-types.js';
import {
  encodeGroupRecord,
  subscribedTopicsOf,
  type EncodedRecord,
  type GroupMetadataValue,
  type GroupRecord,
  type OffsetCommitValue,
} from './group-records.js';
import { canRebalance, type GroupState } from './group-state.js';
import { emptyBytes, Group, Member, topicPartitionKey, type OffsetsByTopic, type Protocol } from './group.js';
import { TimerQueue } from './timer-queue.js';

type TimerEvent =
  | { readonly kind: 'heartbeat'; readonly groupId: string; readonly memberId: string }
  | { readonly kind: 'pendingMember'; readonly groupId: string; readonly memberId: string }
  /** `initial` is set for the delayed first rebalance of an empty group. */
  | { readonly kind: 'join'; readonly groupId: string; readonly initial: { readonly delayMs: number; readonly remainingMs: number } | null }
  | { readonly kind: 'sync'; readonly groupId: string; readonly generationId: number };

/** What to do when an append's outcome is known. */
type Continuation =
  | { readonly kind: 'assignment'; readonly partition: number; readonly group: Group; readonly generationId: number; readonly assignment: ReadonlyMap<string, Buffer> }
  | {
      readonly kind: 'commit';
      readonly partition: number;
      readonly group: Group;
      readonly requestId: number;
      readonly errorCodes: number[];
      readonly applied: readonly { readonly index: number; readonly topic: string; readonly partition: number; readonly value: OffsetCommitValue }[];
    }
  | { readonly kind: 'delete'; readonly partition: number; readonly requestId: number; readonly results: GroupResult[] }
  /** Records nobody waits for (an empty group's metadata, expired offsets). */
  | { readonly kind: 'background'; readonly partition: number };

interface LoadingGroup {
  metadata: GroupMetadataValue | null;
  readonly offsets: OffsetsByTopic;
}

type Shard =
  | { readonly status: 'loading'; readonly epoch: number; readonly groups: Map<string, LoadingGroup> }
  | { readonly status: 'active'; readonly epoch: number };

/** What one member holds, for the metrics and describe paths. */
export interface GroupSnapshot {
  readonly groupId: string;
  readonly state: GroupState;
  readonly members: number;
  readonly offsets: readonly { readonly topic: string; readonly partition: number; readonly offset: number }[];
}

const consumerProtocolType = 'consumer';

export class GroupCoordinatorCore {
  readonly #options: CoreOptions;
  readonly #groups = new Map<string, Group>();
  readonly #shards = new Map<number, Shard>();
  readonly #timers = new TimerQueue<TimerEvent>();
  readonly #pending = new Map<number, Continuation>();
  #effects: CoreEffects = { replies: [], appends: [] };
  #nextAppendId = 1;
  /** Members and pending members over all groups. */
  #memberCount = 0;
  /** Protocol metadata and assignment bytes held for all members. */
  #heldBytes = 0;
  /** Rebalances that ended with the group Stable in a new generation. */
  rebalancesCompleted = 0;

  constructor(options: CoreOptions) {
    assert(options.initialRebalanceDelayMs >= 0, 'initial rebalance delay is not negative');
    assert(options.minSessionTimeoutMs <= options.maxSessionTimeoutMs, 'session timeout bounds are ordered');
    this.#options = options;
  }

  /** Replies and appends produced since the last drain. */
  drain(): CoreEffects {
    const effects = this.#effects;
    this.#effects = { replies: [], appends: [] };
    return effects;
  }

  nextDeadlineMs(): number {
    return this.#timers.nextDeadlineMs();
  }

  get memberCount(): number {
    return this.#memberCount;
  }

  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Recounts members and held bytes from the groups; for tests, which call it after every step. */
  checkAccounting(): void {
    let members = 0;
    let bytes = 0;
    for (const group of this.#groups.values()) {
      members += group.size + group.pendingMembers.size;
      for (const member of group.members.values()) bytes += member.heldBytes;
    }
    assert(members === this.#memberCount, `member count ${this.#memberCount} but ${members} members held`);
    assert(bytes === this.#heldBytes, `held bytes ${this.#heldBytes} but members hold ${bytes}`);
  }

  get groupCount(): number {
    return this.#groups.size;
  }

  /** Status of an offsets partition here: coordinated, being loaded, or not ours. */
  shardStatus(partition: number): 'active' | 'loading' | 'none' {
    return this.#shards.get(partition)?.status ?? 'none';
  }

  shardEpoch(partition: number): number | null {
    return this.#shards.get(partition)?.epoch ?? null;
  }

  // ---- JoinGroup --------------------------------------------------------------------------

  join(request: JoinRequest, at: Now): void {
    const status = this.#groupStatus(request.partition, request.groupId, true);
    if (status !== ErrorCode.NONE) return this.#joinFailed(request.requestId, status, request.memberId);
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.#options;
    if (request.sessionTimeoutMs < minSessionTimeoutMs || request.sessionTimeoutMs > maxSessionTimeoutMs) {
      return this.#joinFailed(request.requestId, ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId);
    }
    const protocols = this.#acceptableProtocols(request.protocols);
    if (protocols === null) return this.#joinFailed(request.requestId, ErrorCode.INVALID_REQUEST, request.memberId);
    const isUnknown = request.memberId === '';
    let group = this.#groups.get(request.groupId);
    const created = group === undefined;
    if (group === undefined) {
      if (!isUnknown) return this.#joinFailed(request.requestId, ErrorCode.UNKNOWN_MEMBER_ID, request.memberId);
      if (this.#groups.size >= this.#options.groupsMax) return this.#joinFailed(request.requestId, ErrorCode.COORDINATOR_NOT_AVAILABLE, '');
      group = this.#createGroup(request.groupId, request.partition, at);
    }
    if (!this.#acceptJoiningMember(group, request.memberId)) {
      const member = group.members.get(request.memberId);
      if (member !== undefined) this.#removeMemberAndUpdate(group, member, at, 'over group.max.size');
      this.#joinFailed(request.requestId, ErrorCode.GROUP_MAX_SIZE_REACHED, '');
    } else if (isUnknown) {
      this.#joinNewMember(group, request, protocols, at);
    } else {
      this.#joinKnownMember(group, request, protocols, at);
    }
    if (created) this.#dropIfUnused(group);
  }

  /** Distinct by name, within our bounds, and copied out of the request frame; null if not. */
  #acceptableProtocols(protocols: readonly Protocol[]): Protocol[] | null {
    const seen = new Set<string>();
    const distinct: Protocol[] = [];
    let bytes = 0;
    for (const protocol of protocols) {
      if (seen.has(protocol.name)) continue;
      seen.add(protocol.name);
      bytes += protocol.name.length + protocol.metadata.length;
      distinct.push(protocol);
    }
    if (distinct.length > this.#options.protocolsPerMemberMax || bytes > this.#options.memberProtocolBytesMax) return null;
    return distinct.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));
  }

  /** Kafka's acceptJoiningMember, plus our bound on members over all groups. */
  #acceptJoiningMember(group: Group, memberId: string): boolean {
    const { groupMaxSize } = this.#options;
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.members.get(memberId)?.awaitingJoin ?? null) !== null || group.numAwaitingJoin < groupMaxSize;
      case 'CompletingRebalance':
      case 'Stable':
        return group.has(memberId) || group.size < groupMaxSize;
    }
  }

  #joinNewMember(group: Group, request: JoinRequest, protocols: readonly Protocol[], at: Now): void {
    if (group.state === 'Dead') return this.#joinFailed(request.requestId, ErrorCode.COORDINATOR_NOT_AVAILABLE, '');
    if (!group.supportsProtocols(request.protocolType, protocols)) {
      return this.#joinFailed(request.requestId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, '');
    }
    if (this.#memberCount >= this.#options.membersMax || !this.#fits(protocolBytes(protocols))) {
      return this.#joinFailed(request.requestId, ErrorCode.GROUP_MAX_SIZE_REACHED, '');
    }
    const memberId = this.#newMemberId(request.clientId);
    if (!request.requireKnownMemberId) return this.#addMemberAndRebalance(group, memberId, request, protocols, at);
    group.pendingMembers.add(memberId);
    this.#memberCount++;
    this.#timers.schedule(pendingMemberTimer(group.groupId, memberId), at.nowMs + request.sessionTimeoutMs, {
      kind: 'pendingMember',
      groupId: group.groupId,
      memberId,
    });
    this.#trace(group, `pending member ${memberId} (MEMBER_ID_REQUIRED)`);
    this.#joinFailed(request.requestId, ErrorCode.MEMBER_ID_REQUIRED, memberId);
  }

  #joinKnownMember(group: Group, request: JoinRequest, protocols: readonly Protocol[], at: Now): void {
    const { requestId, memberId } = request;
    if (group.state === 'Dead') return this.#joinFailed(requestId, ErrorCode.COORDINATOR_NOT_AVAILABLE, memberId);
    if (!group.supportsProtocols(request.protocolType, protocols)) {
      return this.#joinFailed(requestId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId);
    }
    if (group.pendingMembers.has(memberId)) {
      this.#dropPendingMember(group, memberId);
      return this.#addMemberAndRebalance(group, memberId, request, protocols, at);
    }
    const member = group.members.get(memberId);
    if (member === undefined) return this.#joinFailed(requestId, ErrorCode.UNKNOWN_MEMBER_ID, memberId);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.#updateMemberAndRebalance(group, member, request, protocols, at);
      case 'CompletingRebalance':
        if (!member.matches(protocols)) return this.#updateMemberAndRebalance(group, member, request, protocols, at);
        // The member lost our answer: it gets this generation's again.
        return this.#replyJoin(requestId, this.#joinAnswer(group, member, group.isLeader(memberId)));
      case 'Stable':
        // A rejoining leader forces a rebalance: it may have seen topic metadata change.
        if (group.isLeader(memberId) || !member.matches(protocols)) {
          return this.#updateMemberAndRebalance(group, member, request, protocols, at);
        }
        return this.#replyJoin(requestId, this.#joinAnswer(group, member, false));
      case 'Empty':
        return this.#joinFailed(requestId, ErrorCode.UNKNOWN_MEMBER_ID, memberId);
    }
  }

  #addMemberAndRebalance(group: Group, memberId: string, request: JoinRequest, protocols: readonly Protocol[], at: Now): void {
    const member = new Member({
      memberId,
      protocolType: request.protocolType,
      clientId: request.clientId,
      clientHost: request.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols,
    });
    member.isNew = true;
    member.awaitingJoin = request.requestId;
    if (group.state === 'PreparingRebalance' && group.previousState === 'Empty') group.newMemberAdded = true;
    group.add(member);
    this.#memberCount++;
    this.#heldBytes += member.heldBytes;
    this.#trace(group, `member ${memberId} joined`);
    // A new member cannot heartbeat before it has its id; its JoinGroup is what times out.
    this.#scheduleHeartbeat(group, member, at, this.#options.newMemberJoinTimeoutMs);
    this.#maybePrepareRebalanceOrCompleteJoin(group, at, `member ${memberId} joined`);
  }

  #updateMemberAndRebalance(group: Group, member: Member, request: JoinRequest, protocols: readonly Protocol[], at: Now): void {
    if (!this.#fits(protocolBytes(protocols) - protocolBytes(member.protocols))) {
      return this.#joinFailed(request.requestId, ErrorCode.GROUP_MAX_SIZE_REACHED, member.memberId);
    }
    if (member.awaitingJoin !== null) {
      this.#joinFailed(member.awaitingJoin, ErrorCode.REBALANCE_IN_PROGRESS, member.memberId);
    }
    this.#heldBytes -= member.heldBytes;
    group.updateProtocols(member, protocols);
    this.#heldBytes += member.heldBytes;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.awaitingJoin = request.requestId;
    this.#maybePrepareRebalanceOrCompleteJoin(group, at, `member ${member.memberId} rejoined`);
  }

  #maybePrepareRebalanceOrCompleteJoin(group: Group, at: Now, reason: string): void {
    if (canRebalance(group.state)) {
      this.#prepareRebalance(group, at, reason);
    } else if (group.state === 'PreparingRebalance' && group.hasAllMembersJoined() && group.previousState !== 'Empty') {
      this.#completeJoin(group, at);
    }
  }

  #prepareRebalance(group: Group, at: Now, reason: string): void {
    if (group.state === 'CompletingRebalance') this.#resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS, at);
    group.pendingSync.clear();
    this.#timers.cancel(syncTimer(group.groupId));
    const initial = group.state === 'Empty';
    group.transitionTo('PreparingRebalance', at.wallMs);
    this.#trace(group, `preparing rebalance from generation ${group.generationId} (${reason})`);
    if (initial) {
      // A new group waits group.initial.rebalance.delay.ms for more members to arrive.
      const delayMs = this.#options.initialRebalanceDelayMs;
      const remainingMs = Math.max(group.rebalanceTimeoutMs - delayMs, 0);
      this.#scheduleJoin(group, at.nowMs + delayMs, { delayMs, remainingMs });
    } else if (group.hasAllMembersJoined()) {
      this.#completeJoin(group, at);
    } else {
      this.#scheduleJoin(group, at.nowMs + group.rebalanceTimeoutMs, null);
    }
  }

  #onJoinTimer(group: Group, initial: { delayMs: number; remainingMs: number } | null, at: Now): void {
    if (group.state !== 'PreparingRebalance') return;
    if (initial !== null && group.newMemberAdded && initial.remainingMs !== 0) {
      group.newMemberAdded = false;
      const delayMs = Math.min(this.#options.initialRebalanceDelayMs, initial.remainingMs);
      const remainingMs = Math.max(initial.remainingMs - initial.delayMs, 0);
      this.#scheduleJoin(group, at.nowMs + delayMs, { delayMs, remainingMs });
      return;
    }
    this.#completeJoin(group, at);
  }

  /**
   * Ends the join phase: members that did not rejoin are dropped, the generation moves on,
   * and every member gets its answer (the leader with everyone's metadata), or the group
   * becomes Empty if nobody is left.
   */
  #completeJoin(group: Group, at: Now): void {
    assert(group.state === 'PreparingRebalance', `group ${group.groupId} completes a join in ${group.state}`);
    this.#timers.cancel(joinTimer(group.groupId));
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin === null) this.#removeQuietly(group, member, 'did not rejoin in time');
    }
    const hasLeader = group.electJoinedLeader();
    assert(hasLeader || group.size === 0, 'every member left rejoined, so one leads');
    group.generationId++;
    if (group.size === 0) {
      group.protocolName = null;
      group.transitionTo('Empty', at.wallMs);
      this.#trace(group, `empty at generation ${group.generationId}`);
      this.#append(group.partition, [this.#groupRecord(group, new Map(), at)], { kind: 'background', partition: group.partition });
      return;
    }
    group.protocolName = group.selectProtocol();
    group.transitionTo('CompletingRebalance', at.wallMs);
    this.#trace(group, `generation ${group.generationId}: protocol ${group.protocolName}, leader ${group.leaderId}, ${group.size} members`);
    for (const member of group.members.values()) {
      const requestId = member.awaitingJoin!;
      member.awaitingJoin = null;
      member.isNew = false;
      this.#replyJoin(requestId, this.#joinAnswer(group, member, group.isLeader(member.memberId)));
      this.#scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
      group.pendingSync.add(member.memberId);
    }
    const generationId = group.generationId;
    this.#timers.schedule(syncTimer(group.groupId), at.nowMs + group.rebalanceTimeoutMs, { kind: 'sync', groupId: group.groupId, generationId });
  }

  #joinAnswer(group: Group, member: Member, withMembers: boolean): JoinResult {
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

  // ---- SyncGroup --------------------------------------------------------------------------

  sync(request: SyncRequest, at: Now): void {
    const fail = (errorCode: number): void => this.#replySync(request.requestId, { errorCode, assignment: emptyBytes });
    const status = this.#groupStatus(request.partition, request.groupId, true);
    if (status !== ErrorCode.NONE) return fail(status);
    const found = this.#memberOfGeneration(request);
    if (typeof found === 'number') return fail(found);
    const { group, member } = found;
    switch (group.state) {
      case 'Empty':
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'CompletingRebalance':
        if (member.awaitingSync !== null) this.#replySync(member.awaitingSync, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: emptyBytes });
        member.awaitingSync = request.requestId;
        group.pendingSync.delete(member.memberId);
        this.#scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
        if (group.isLeader(member.memberId)) this.#storeAssignment(group, request.assignments, at);
        return;
      case 'Stable':
        group.pendingSync.delete(member.memberId);
        this.#scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
        return this.#replySync(request.requestId, { errorCode: ErrorCode.NONE, assignment: member.assignment });
    }
  }

  /** The leader's assignment is persisted before anyone gets it; missing members get none. */
  #storeAssignment(group: Group, assignments: SyncRequest['assignments'], at: Now): void {
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
    if (bytes > this.#options.recordBytesMax || !this.#fits(bytes - held)) {
      // Kafka fails the append with MESSAGE_TOO_LARGE and answers UNKNOWN_SERVER_ERROR.
      return this.#assignmentFailed(group, ErrorCode.UNKNOWN_SERVER_ERROR, at);
    }
    for (const [memberId, bytesOf] of assignment) assignment.set(memberId, Buffer.from(bytesOf));
    const record = this.#groupRecord(group, assignment, at);
    if (record.key.length + (record.value?.length ?? 0) > this.#options.recordBytesMax) {
      return this.#assignmentFailed(group, ErrorCode.UNKNOWN_SERVER_ERROR, at);
    }
    this.#append(group.partition, [record], {
      kind: 'assignment',
      partition: group.partition,
      group,
      generationId: group.generationId,
      assignment,
    });
  }

  #assignmentAppended(continuation: Extract<Continuation, { kind: 'assignment' }>, errorCode: number, at: Now): void {
    const { group } = continuation;
    // A member may have joined or left while the record was written: then it no longer counts.
    if (this.#groups.get(group.groupId) !== group) return;
    if (group.state !== 'CompletingRebalance' || group.generationId !== continuation.generationId) return;
    if (errorCode !== ErrorCode.NONE) return this.#assignmentFailed(group, storeGroupError(errorCode), at);
    for (const member of group.members.values()) this.#setAssignment(member, continuation.assignment.get(member.memberId) ?? emptyBytes);
    this.#propagateAssignment(group, ErrorCode.NONE, at);
    group.transitionTo('Stable', at.wallMs);
    this.rebalancesCompleted++;
    this.#trace(group, `stable at generation ${group.generationId}`);
  }

  #assignmentFailed(group: Group, errorCode: number, at: Now): void {
    this.#resetAndPropagateAssignmentError(group, errorCode, at);
    this.#maybePrepareRebalanceOrCompleteJoin(group, at, `the assignment could not be stored (error ${errorCode})`);
  }

  #resetAndPropagateAssignmentError(group: Group, errorCode: number, at: Now): void {
    assert(group.state === 'CompletingRebalance', `group ${group.groupId} resets assignments in ${group.state}`);
    for (const member of group.members.values()) this.#setAssignment(member, emptyBytes);
    this.#propagateAssignment(group, errorCode, at);
  }

  #propagateAssignment(group: Group, errorCode: number, at: Now): void {
    for (const member of group.members.values()) {
      if (member.awaitingSync === null) continue;
      const requestId = member.awaitingSync;
      member.awaitingSync = null;
      this.#replySync(requestId, { errorCode, assignment: member.assignment });
      this.#scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
    }
  }

  // ---- Heartbeat and LeaveGroup -----------------------------------------------------------

  heartbeat(request: HeartbeatRequest, at: Now): void {
    const answer = (errorCode: number): void => this.#reply({ kind: 'heartbeat', requestId: request.requestId, errorCode });
    const status = this.#groupStatus(request.partition, request.groupId, true);
    // Kafka answers heartbeats blindly while it loads: the member keeps its place meanwhile.
    if (status === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return answer(ErrorCode.NONE);
    if (status !== ErrorCode.NONE) return answer(status);
    const found = this.#memberOfGeneration(request);
    if (typeof found === 'number') return answer(found);
    const { group, member } = found;
    switch (group.state) {
      case 'Empty':
        return answer(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        this.#scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
        return answer(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'CompletingRebalance':
      case 'Stable':
        this.#scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
        return answer(ErrorCode.NONE);
    }
  }

  leave(request: LeaveRequest, at: Now): void {
    const answer = (errorCode: number): void => this.#reply({ kind: 'leave', requestId: request.requestId, errorCode });
    const status = this.#groupStatus(request.partition, request.groupId, true);
    if (status !== ErrorCode.NONE) return answer(status);
    const group = this.#groups.get(request.groupId);
    if (group === undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.state === 'Dead') return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.pendingMembers.has(request.memberId)) {
      this.#dropPendingMember(group, request.memberId);
      if (group.state === 'PreparingRebalance' && group.hasAllMembersJoined()) this.#completeJoin(group, at);
      return answer(ErrorCode.NONE);
    }
    const member = group.members.get(request.memberId);
    if (member === undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
    this.#removeMemberAndUpdate(group, member, at, 'left the group');
    answer(ErrorCode.NONE);
  }

  /** Removes a member, answering what it has parked, and moves the group on. */
  #removeMemberAndUpdate(group: Group, member: Member, at: Now, reason: string): void {
    if (member.awaitingJoin !== null) this.#joinFailed(member.awaitingJoin, ErrorCode.UNKNOWN_MEMBER_ID, '');
    if (member.awaitingSync !== null) {
      this.#replySync(member.awaitingSync, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: emptyBytes });
    }
    member.awaitingJoin = null;
    member.awaitingSync = null;
    this.#removeQuietly(group, member, reason);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        return this.#maybePrepareRebalanceOrCompleteJoin(group, at, `member ${member.memberId} ${reason}`);
      case 'PreparingRebalance':
        if (group.hasAllMembersJoined()) this.#completeJoin(group, at);
        return;
      case 'Empty':
      case 'Dead':
        return;
    }
  }

  /** Takes a member out without answering anything: it has nothing parked. */
  #removeQuietly(group: Group, member: Member, reason: string): void {
    assert(member.awaitingJoin === null && member.awaitingSync === null, `member ${member.memberId} leaves with a request parked`);
    group.remove(member.memberId);
    this.#timers.cancel(heartbeatTimer(group.groupId, member.memberId));
    this.#memberCount--;
    this.#heldBytes -= member.heldBytes;
    this.#trace(group, `member ${member.memberId} removed: ${reason}`);
  }

  #dropPendingMember(group: Group, memberId: string): void {
    group.pendingMembers.delete(memberId);
    this.#timers.cancel(pendingMemberTimer(group.groupId, memberId));
    this.#memberCount--;
  }

  // ---- Timers -----------------------------------------------------------------------------

  /** Fires every timer due at `at.nowMs`. */
  tick(at: Now): void {
    for (let due = this.#timers.popDue(at.nowMs); due !== null; due = this.#timers.popDue(at.nowMs)) {
      const event = due.value;
      const group = this.#groups.get(event.groupId);
      if (group === undefined) continue;
      switch (event.kind) {
        case 'heartbeat':
          this.#onHeartbeatExpired(group, event.memberId, at);
          break;
        case 'pendingMember':
          if (!group.pendingMembers.has(event.memberId)) break;
          this.#dropPendingMember(group, event.memberId);
          this.#trace(group, `pending member ${event.memberId} expired`);
          if (group.state === 'PreparingRebalance' && group.hasAllMembersJoined()) this.#completeJoin(group, at);
          this.#dropIfUnused(group);
          break;
        case 'join':
          this.#onJoinTimer(group, event.initial, at);
          break;
        case 'sync':
          this.#onSyncExpired(group, event.generationId, at);
          break;
      }
    }
  }

  #onHeartbeatExpired(group: Group, memberId: string, at: Now): void {
    const member = group.members.get(memberId);
    if (member === undefined) return;
    // A member waiting for our answer to a rebalance is alive: its request is parked here.
    if (!member.isNew && (member.awaitingJoin !== null || member.awaitingSync !== null)) return;
    this.#removeMemberAndUpdate(group, member, at, 'session timed out');
  }

  /** Members that got their JoinGroup answer but never synced within the rebalance timeout. */
  #onSyncExpired(group: Group, generationId: number, at: Now): void {
    if (generationId !== group.generationId || group.pendingSync.size === 0) return;
    if (group.state !== 'CompletingRebalance' && group.state !== 'Stable') return;
    for (const memberId of [...group.pendingSync]) {
      const member = group.members.get(memberId);
      if (member !== undefined) this.#removeQuietly(group, member, 'did not sync in time');
    }
    this.#prepareRebalance(group, at, 'members did not sync in time');
  }

  #scheduleHeartbeat(group: Group, member: Member, at: Now, timeoutMs: number): void {
    this.#timers.schedule(heartbeatTimer(group.groupId, member.memberId), at.nowMs + timeoutMs, {
      kind: 'heartbeat',
      groupId: group.groupId,
      memberId: member.memberId,
    });
  }

  #scheduleJoin(group: Group, deadlineMs: number, initial: { delayMs: number; remainingMs: number } | null): void {
    this.#timers.schedule(joinTimer(group.groupId), deadlineMs, { kind: 'join', groupId: group.groupId, initial });
  }

  // ---- OffsetCommit and OffsetFetch -------------------------------------------------------

  commitOffsets(request: CommitRequest, at: Now): void {
    const all = (errorCode: number): void =>
      this.#reply({ kind: 'commit', requestId: request.requestId, errorCodes: request.offsets.map(() => errorCode) });
    const status = this.#groupStatus(request.partition, request.groupId, false);
    if (status !== ErrorCode.NONE) return all(status);
    let group = this.#groups.get(request.groupId);
    const created = group === undefined;
    if (group === undefined) {
      // A consumer that only stores offsets here (generation -1) gets a group of its own.
      if (request.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      if (this.#groups.size >= this.#options.groupsMax) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      group = this.#createGroup(request.groupId, request.partition, at);
    }
    this.#commitTo(group, request, at, all);
    if (created) this.#dropIfUnused(group);
  }

  #commitTo(group: Group, request: CommitRequest, at: Now, all: (errorCode: number) => void): void {
    if (group.state === 'Dead') return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (request.generationId < 0 && group.state === 'Empty') return this.#storeOffsets(group, request, at);
    const member = group.members.get(request.memberId);
    if (member === undefined) return all(ErrorCode.UNKNOWN_MEMBER_ID);
    // I8: a member of an older generation must not overwrite what the current one commits.
    if (request.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
    switch (group.state) {
      case 'Stable':
      case 'PreparingRebalance':
        // Commits stay allowed while rebalancing, so members can commit before they rejoin.
        this.#scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
        return this.#storeOffsets(group, request, at);
      case 'CompletingRebalance':
        return all(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Empty':
        return all(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  #storeOffsets(group: Group, request: CommitRequest, at: Now): void {
    const errorCodes: number[] = [];
    const records: EncodedRecord[] = [];
    const applied: { index: number; topic: string; partition: number; value: OffsetCommitValue }[] = [];
    request.offsets.forEach((o: OffsetToCommit, index) => {
      if (o.metadata !== null && o.metadata.length > this.#options.offsetMetadataMaxBytes) {
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
    if (records.length === 0) return this.#reply({ kind: 'commit', requestId: request.requestId, errorCodes });
    for (const { topic, partition } of applied) {
      const key = topicPartitionKey(topic, partition);
      group.pendingCommits.set(key, (group.pendingCommits.get(key) ?? 0) + 1);
    }
    this.#append(group.partition, records, {
      kind: 'commit',
      partition: group.partition,
      group,
      requestId: request.requestId,
      errorCodes,
      applied,
    });
  }

  #commitAppended(continuation: Extract<Continuation, { kind: 'commit' }>, errorCode: number): void {
    const { group, errorCodes } = continuation;
    const current = this.#groups.get(group.groupId) === group;
    for (const { index, topic, partition, value } of continuation.applied) {
      const key = topicPartitionKey(topic, partition);
      const count = (group.pendingCommits.get(key) ?? 1) - 1;
      if (count === 0) group.pendingCommits.delete(key);
      else group.pendingCommits.set(key, count);
      if (errorCode === ErrorCode.NONE && current) group.setOffset(topic, partition, value);
      errorCodes[index] = errorCode === ErrorCode.NONE ? ErrorCode.NONE : commitError(errorCode);
    }
    this.#reply({ kind: 'commit', requestId: continuation.requestId, errorCodes });
    if (current) this.#dropIfUnused(group);
  }

  /** Committed offsets; `topics` null asks for all of them (OffsetFetch v2+). */
  fetchOffsets(partition: number, groupId: string, topics: readonly { topic: string; partitions: readonly number[] }[] | null): FetchedOffsets {
    const status = this.#groupStatus(partition, groupId, false);
    if (status !== ErrorCode.NONE) return { errorCode: status, topics: [] };
    const group = this.#groups.get(groupId);
    if (topics === null) {
      const all = [...(group?.offsets ?? new Map<string, Map<number, OffsetCommitValue>>())].map(([topic, byPartition]) => ({
        topic,
        partitions: [...byPartition].map(([p, v]) => ({ partition: p, offset: v.offset, metadata: v.metadata, errorCode: ErrorCode.NONE })),
      }));
      return { errorCode: ErrorCode.NONE, topics: all };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map(({ topic, partitions }) => ({
        topic,
        partitions: partitions.map((p) => {
          const value = group?.offset(topic, p);
          return { partition: p, offset: value?.offset ?? -1, metadata: value?.metadata ?? '', errorCode: ErrorCode.NONE };
        }),
      })),
    };
  }

  // ---- DescribeGroups, ListGroups, DeleteGroups -------------------------------------------

  describeGroup(partition: number, groupId: string): GroupDescription {
    const status = this.#groupStatus(partition, groupId, false);
    const blank = { groupId, protocolType: '', protocolName: '', members: [] };
    if (status !== ErrorCode.NONE) return { errorCode: status, state: '', ...blank };
    const group = this.#groups.get(groupId);
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

  listGroups(): GroupListing {
    const loading = [...this.#shards.values()].some((s) => s.status === 'loading');
    return {
      errorCode: loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE,
      groups: [...this.#groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '' })),
    };
  }

  /** Deletes Empty groups of one offsets partition: tombstones for the group and its offsets. */
  deleteGroups(request: DeleteRequest, at: Now): void {
    const results: GroupResult[] = [];
    const records: EncodedRecord[] = [];
    for (const groupId of request.groupIds) {
      const status = this.#groupStatus(request.partition, groupId, false);
      const group = this.#groups.get(groupId);
      if (status !== ErrorCode.NONE) {
        results.push({ groupId, errorCode: status });
      } else if (group === undefined || group.state === 'Dead') {
        results.push({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
      } else if (group.state !== 'Empty' || group.pendingMembers.size > 0) {
        results.push({ groupId, errorCode: ErrorCode.NON_EMPTY_GROUP });
      } else {
        records.push(...this.#tombstones(group, allOffsetKeys(group)));
        group.transitionTo('Dead', at.wallMs);
        this.#dropGroup(group, 'deleted');
        results.push({ groupId, errorCode: ErrorCode.NONE });
      }
    }
    if (records.length === 0) return this.#reply({ kind: 'delete', requestId: request.requestId, results });
    this.#append(request.partition, records, { kind: 'delete', partition: request.partition, requestId: request.requestId, results });
  }

  // ---- Offset retention -------------------------------------------------------------------

  /**
   * Kafka's offset expiry (offsets.retention.minutes): offsets of an Empty group expire that
   * long after it became empty; a group that only stores offsets and a stable consumer
   * group's offsets for topics it no longer subscribes to, that long after their commit; a
   * commit with its own retention time (OffsetCommit v2–4) at that time. An Empty group
   * left without offsets is deleted.
   */
  expireOffsets(at: Now): void {
    const byPartition = new Map<number, EncodedRecord[]>();
    for (const group of [...this.#groups.values()]) {
      if (this.#shards.get(group.partition)?.status !== 'active') continue;
      const expired = this.#expiredOffsets(group, at);
      for (const [topic, partition] of expired) group.setOffset(topic, partition, null);
      let records = this.#tombstones(group, expired).slice(1);
      if (group.state === 'Empty' && !group.hasOffsets && group.pendingMembers.size === 0) {
        records = this.#tombstones(group, expired);
        group.transitionTo('Dead', at.wallMs);
        this.#dropGroup(group, 'empty without offsets');
      }
      if (records.length === 0) continue;
      const list = byPartition.get(group.partition) ?? [];
      list.push(...records);
      byPartition.set(group.partition, list);
    }
    for (const [partition, records] of byPartition) this.#append(partition, records, { kind: 'background', partition });
  }

  #expiredOffsets(group: Group, at: Now): [string, number][] {
    const retentionMs = this.#options.offsetRetentionMs;
    let since: (value: OffsetCommitValue) => number;
    let keep: ReadonlySet<string> = new Set();
    if (group.protocolType !== null && group.state === 'Empty') {
      since = (value) => group.stateTimestampWallMs ?? value.commitTimestampMs;
    } else if (group.protocolType === null) {
      since = (value) => value.commitTimestampMs;
    } else if (group.protocolType === consumerProtocolType && group.state === 'Stable') {
      const subscribed = subscribedTopics(group);
      if (subscribed === null) return [];
      since = (value) => value.commitTimestampMs;
      keep = subscribed;
    } else {
      return [];
    }
    const expired: [string, number][] = [];
    for (const [topic, byPartition] of group.offsets) {
      if (keep.has(topic)) continue;
      for (const [partition, value] of byPartition) {
        if (group.pendingCommits.has(topicPartitionKey(topic, partition))) continue;
        const due = value.expireTimestampMs >= 0 ? at.wallMs >= value.expireTimestampMs : at.wallMs - since(value) >= retentionMs;
        if (due) expired.push([topic, partition]);
      }
    }
    return expired;
  }

  // ---- Loading and unloading an offsets partition -----------------------------------------

  /**
   * This node now leads offsets partition `partition` at `epoch`: whatever it held of an
   * older epoch is dropped, and requests for its groups get COORDINATOR_LOAD_IN_PROGRESS
   * until completeLoad.
   */
  beginLoad(partition: number, epoch: number): void {
    this.unload(partition);
    this.#shards.set(partition, { status: 'loading', epoch, groups: new Map() });
  }

  /** One record read from the partition, in log order. */
  replay(partition: number, epoch: number, record: GroupRecord): void {
    const shard = this.#shards.get(partition);
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
  completeLoad(partition: number, epoch: number, at: Now): void {
    const shard = this.#shards.get(partition);
    assert(shard?.status === 'loading' && shard.epoch === epoch, `offsets partition ${partition} is not loading at ${epoch}`);
    this.#shards.set(partition, { status: 'active', epoch });
    for (const [groupId, loading] of shard.groups) {
      if (loading.metadata === null && loading.offsets.size === 0) continue;
      // Only if __consumer_offsets gained partitions: the group now lives elsewhere.
      if (this.#groups.has(groupId)) {
        this.#options.trace?.(`${groupId}: stored in offsets partition ${partition} but already coordinated from another; skipped`);
        continue;
      }
      this.#loadGroup(groupId, partition, loading, at);
    }
  }

  #loadGroup(groupId: string, partition: number, loading: LoadingGroup, at: Now): void {
    const stored = loading.metadata;
    const protocolName = stored?.protocolName ?? null;
    const withMembers = stored !== null && stored.members.length > 0 && stored.protocolType !== '' && protocolName !== null;
    const stateTimestamp = stored !== null && stored.currentStateTimestampMs >= 0 ? stored.currentStateTimestampMs : null;
    const group = new Group(groupId, partition, withMembers ? 'Stable' : 'Empty', stateTimestamp);
    this.#groups.set(groupId, group);
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
      group.add(member);
      this.#memberCount++;
      this.#heldBytes += member.heldBytes;
      this.#scheduleHeartbeat(group, member, at, member.sessionTimeoutMs);
    }
    group.leaderId = stored.leaderId !== null && group.has(stored.leaderId) ? stored.leaderId : group.leaderId;
    this.#trace(group, `loaded at generation ${group.generationId} with ${group.size} members`);
    if (group.size > this.#options.groupMaxSize) this.#prepareRebalance(group, at, 'loaded over group.max.size');
  }

  /**
   * This node no longer leads the partition: its groups go, parked requests and writes in
   * flight are answered NOT_COORDINATOR (the client finds the new coordinator).
   */
  unload(partition: number): void {
    if (!this.#shards.delete(partition)) return;
    for (const group of [...this.#groups.values()]) {
      if (group.partition !== partition) continue;
      for (const member of group.members.values()) {
        if (member.awaitingJoin !== null) this.#joinFailed(member.awaitingJoin, ErrorCode.NOT_COORDINATOR, member.memberId);
        if (member.awaitingSync !== null) this.#replySync(member.awaitingSync, { errorCode: ErrorCode.NOT_COORDINATOR, assignment: emptyBytes });
        member.awaitingJoin = null;
        member.awaitingSync = null;
      }
      this.#dropGroup(group, 'coordinator moved');
    }
    for (const [appendId, continuation] of [...this.#pending]) {
      if (continuation.partition !== partition) continue;
      this.#pending.delete(appendId);
      this.#settle(continuation, ErrorCode.NOT_LEADER_OR_FOLLOWER, null);
    }
  }

  // ---- Appends ----------------------------------------------------------------------------

  /** The outcome of an append: NONE once acks=all holds, else the partition's error. */
  appended(appendId: number, errorCode: number, at: Now): void {
    const continuation = this.#pending.get(appendId);
    if (continuation === undefined) return;
    this.#pending.delete(appendId);
    this.#settle(continuation, errorCode, at);
  }

  /** `at` null: the partition was unloaded, nothing may change but the answers. */
  #settle(continuation: Continuation, errorCode: number, at: Now | null): void {
    switch (continuation.kind) {
      case 'assignment':
        if (at !== null) this.#assignmentAppended(continuation, errorCode, at);
        return;
      case 'commit':
        return this.#commitAppended(continuation, errorCode);
      case 'delete': {
        const results = continuation.results.map((r) =>
          r.errorCode === ErrorCode.NONE && errorCode !== ErrorCode.NONE ? { ...r, errorCode: commitError(errorCode) } : r,
        );
        return this.#reply({ kind: 'delete', requestId: continuation.requestId, results });
      }
      case 'background':
        if (errorCode !== ErrorCode.NONE) this.#options.trace?.(`background write to offsets partition ${continuation.partition} failed: ${errorCode}`);
        return;
    }
  }

  #append(partition: number, records: readonly EncodedRecord[], continuation: Continuation): void {
    const shard = this.#shards.get(partition);
    assert(shard?.status === 'active', `append to offsets partition ${partition} that is not loaded`);
    const appendId = this.#nextAppendId++;
    this.#pending.set(appendId, continuation);
    const append: AppendRequest = { appendId, partition, loadEpoch: shard.epoch, records };
    this.#effects.appends.push(append);
  }

  // ---- Helpers ----------------------------------------------------------------------------

  /**
   * The member a SyncGroup or Heartbeat names, in the group's current generation; else the
   * error Kafka answers: an unknown group or member, a dead group, an older generation.
   */
  #memberOfGeneration(request: { groupId: string; memberId: string; generationId: number }): { group: Group; member: Member } | number {
    const group = this.#groups.get(request.groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const member = group.members.get(request.memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return { group, member };
  }

  #groupStatus(partition: number, groupId: string, requireGroupId: boolean): number {
    if (requireGroupId && groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const shard = this.#shards.get(partition);
    if (shard === undefined) return ErrorCode.NOT_COORDINATOR;
    if (shard.status === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /** Whether `bytes` more member metadata or assignments fit the coordinator's budget. */
  #fits(bytes: number): boolean {
    return this.#heldBytes + bytes <= this.#options.heldBytesMax;
  }

  #setAssignment(member: Member, assignment: Buffer): void {
    this.#heldBytes += assignment.length - member.assignment.length;
    member.assignment = assignment;
  }

  #createGroup(groupId: string, partition: number, at: Now): Group {
    const group = new Group(groupId, partition, 'Empty', at.wallMs);
    this.#groups.set(groupId, group);
    return group;
  }

  /** A group created by a request that then failed holds nothing: forget it again. */
  #dropIfUnused(group: Group): void {
    const unused = group.state === 'Empty' && group.generationId === 0 && group.size === 0 && group.pendingMembers.size === 0 && !group.hasOffsets;
    if (unused && this.#groups.get(group.groupId) === group) this.#groups.delete(group.groupId);
  }

  #dropGroup(group: Group, reason: string): void {
    this.#groups.delete(group.groupId);
    this.#timers.cancel(joinTimer(group.groupId));
    this.#timers.cancel(syncTimer(group.groupId));
    for (const memberId of group.members.keys()) this.#timers.cancel(heartbeatTimer(group.groupId, memberId));
    for (const memberId of group.pendingMembers) this.#timers.cancel(pendingMemberTimer(group.groupId, memberId));
    this.#memberCount -= group.size + group.pendingMembers.size;
    for (const member of group.members.values()) this.#heldBytes -= member.heldBytes;
    this.#trace(group, `dropped: ${reason}`);
  }

  #groupRecord(group: Group, assignment: ReadonlyMap<string, Buffer>, at: Now): EncodedRecord {
    const protocolName = group.protocolName;
    const value: GroupMetadataValue = {
      protocolType: group.protocolType ?? '',
      generationId: group.generationId,
      protocolName,
      leaderId: group.leaderId,
      currentStateTimestampMs: group.stateTimestampWallMs ?? at.wallMs,
      members:
        protocolName === null
          ? []
          : [...group.members.values()].map((m) => ({
              memberId: m.memberId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              rebalanceTimeoutMs: m.rebalanceTimeoutMs,
              sessionTimeoutMs: m.sessionTimeoutMs,
              subscription: m.metadataFor(protocolName),
              assignment: assignment.get(m.memberId) ?? emptyBytes,
            })),
    };
    return encodeGroupRecord({ kind: 'group', groupId: group.groupId, value });
  }

  /** The group's tombstone first, then one per offset key. */
  #tombstones(group: Group, keys: readonly [string, number][]): EncodedRecord[] {
    return [
      encodeGroupRecord({ kind: 'group', groupId: group.groupId, value: null }),
      ...keys.map(([topic, partition]) => encodeGroupRecord({ kind: 'offset', groupId: group.groupId, topic, partition, value: null })),
    ];
  }

  #newMemberId(clientId: string): string {
    const { random } = this.#options;
    const bytes = Array.from({ length: 16 }, () => random.between(0, 255));
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = Buffer.from(bytes).toString('hex');
    return `${clientId}-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  #joinFailed(requestId: number, errorCode: number, memberId: string): void {
    this.#replyJoin(requestId, { errorCode, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] });
  }

  #replyJoin(requestId: number, result: JoinResult): void {
    this.#reply({ kind: 'join', requestId, result });
  }

  #replySync(requestId: number, result: SyncResult): void {
    this.#reply({ kind: 'sync', requestId, result });
  }

  #reply(reply: CoreEffects['replies'][number]): void {
    this.#effects.replies.push(reply);
  }

  #trace(group: Group, text: string): void {
    this.#options.trace?.(`${group.groupId}: ${text}`);
  }

  /** Each group's size and committed offsets, for the metrics. */
  snapshot(): GroupSnapshot[] {
    return [...this.#groups.values()].map((g) => ({
      groupId: g.groupId,
      state: g.state,
      members: g.size,
      offsets: [...g.offsets].flatMap(([topic, byPartition]) => [...byPartition].map(([partition, v]) => ({ topic, partition, offset: v.offset }))),
    }));
  }
}

function protocolBytes(protocols: readonly Protocol[]): number {
  return protocols.reduce((sum, p) => sum + p.metadata.length, 0);
}

function heartbeatTimer(groupId: string, memberId: string): string {
  return `heartbeat\u0000${groupId}\u0000${memberId}`;
}

function pendingMemberTimer(groupId: string, memberId: string): string {
  return `pending\u0000${groupId}\u0000${memberId}`;
}

function joinTimer(groupId: string): string {
  return `join\u0000${groupId}`;
}

function syncTimer(groupId: string): string {
  return `sync\u0000${groupId}`;
}

/** Every committed and in-flight offset key of a group, for its tombstones. */
function allOffsetKeys(group: Group): [string, number][] {
  const keys = new Map<string, [string, number]>();
  for (const [topic, byPartition] of group.offsets) {
    for (const partition of byPartition.keys()) keys.set(topicPartitionKey(topic, partition), [topic, partition]);
  }
  for (const key of group.pendingCommits.keys()) {
    const colon = key.indexOf(':');
    const partition = Number(key.slice(0, colon));
    keys.set(key, [key.slice(colon + 1), partition]);
  }
  return [...keys.values()];
}

function subscribedTopics(group: Group): Set<string> | null {
  const topics = new Set<string>();
  for (const member of group.members.values()) {
    const subscribed = subscribedTopicsOf(member.metadataFor(group.protocolName!));
    if (subscribed === null) return null;
    for (const topic of subscribed) topics.add(topic);
  }
  return topics;
}

/** How Kafka answers a commit whose append failed (GroupMetadataManager.storeOffsets). */
export function commitError(appendError: number): number {
  switch (appendError) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    default:
      return appendError;
  }
}

/** How Kafka answers a SyncGroup whose assignment could not be stored (storeGroup). */
export function storeGroupError(appendError: number): number {
  switch (appendError) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.REBALANCE_IN_PROGRESS;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
