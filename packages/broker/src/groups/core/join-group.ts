/** JoinGroup: checks, then a new member is added or a known one updated, and the group rebalances. */
import { ErrorCode } from '@rill/protocol';
import type { JoinRequest, Now } from '../core-types.js';
import { Member, type Group, type Protocol } from '../group.js';
import type { CoordinatorState } from './core-state.js';
import { joinAnswer, maybePrepareRebalanceOrCompleteJoin, removeMemberAndUpdate } from './rebalance.js';

export function join(state: CoordinatorState, request: JoinRequest, at: Now): void {
  const { outbox, options } = state;
  const status = state.groupStatus(request.partition, request.groupId, true);
  if (status !== ErrorCode.NONE) return outbox.joinFailed(request.requestId, status, request.memberId);
  if (request.sessionTimeoutMs < options.minSessionTimeoutMs || request.sessionTimeoutMs > options.maxSessionTimeoutMs) {
    return outbox.joinFailed(request.requestId, ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId);
  }
  const protocols = acceptableProtocols(state, request.protocols);
  if (protocols === null) return outbox.joinFailed(request.requestId, ErrorCode.INVALID_REQUEST, request.memberId);
  const isUnknown = request.memberId === '';
  let group = state.groups.get(request.groupId);
  const created = group === undefined;
  if (group === undefined) {
    if (!isUnknown) return outbox.joinFailed(request.requestId, ErrorCode.UNKNOWN_MEMBER_ID, request.memberId);
    if (state.groups.size >= options.groupsMax) return outbox.joinFailed(request.requestId, ErrorCode.COORDINATOR_NOT_AVAILABLE, '');
    group = state.createGroup(request.groupId, request.partition, at);
  }
  if (!acceptJoiningMember(state, group, request.memberId)) {
    const member = group.members.get(request.memberId);
    if (member !== undefined) removeMemberAndUpdate(state, group, member, at, 'over group.max.size');
    outbox.joinFailed(request.requestId, ErrorCode.GROUP_MAX_SIZE_REACHED, '');
  } else if (isUnknown) {
    joinNewMember(state, group, request, protocols, at);
  } else {
    joinKnownMember(state, group, request, protocols, at);
  }
  if (created) state.dropIfUnused(group);
}

/** Distinct by name, within our bounds, and copied out of the request frame; null if not. */
function acceptableProtocols(state: CoordinatorState, protocols: readonly Protocol[]): Protocol[] | null {
  const seen = new Set<string>();
  const distinct: Protocol[] = [];
  let bytes = 0;
  for (const protocol of protocols) {
    if (seen.has(protocol.name)) continue;
    seen.add(protocol.name);
    bytes += protocol.name.length + protocol.metadata.length;
    distinct.push(protocol);
  }
  if (distinct.length > state.options.protocolsPerMemberMax || bytes > state.options.memberProtocolBytesMax) return null;
  return distinct.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));
}

/** Kafka's acceptJoiningMember, plus our bound on members over all groups. */
function acceptJoiningMember(state: CoordinatorState, group: Group, memberId: string): boolean {
  const { groupMaxSize } = state.options;
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

function joinNewMember(state: CoordinatorState, group: Group, request: JoinRequest, protocols: readonly Protocol[], at: Now): void {
  const { outbox } = state;
  if (group.state === 'Dead') return outbox.joinFailed(request.requestId, ErrorCode.COORDINATOR_NOT_AVAILABLE, '');
  if (!group.supportsProtocols(request.protocolType, protocols)) {
    return outbox.joinFailed(request.requestId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, '');
  }
  if (state.memberCount >= state.options.membersMax || !state.fits(protocolBytes(protocols))) {
    return outbox.joinFailed(request.requestId, ErrorCode.GROUP_MAX_SIZE_REACHED, '');
  }
  const memberId = newMemberId(state, request.clientId);
  if (!request.requireKnownMemberId) return addMemberAndRebalance(state, group, memberId, request, protocols, at);
  state.addPendingMember(group, memberId, at.nowMs + request.sessionTimeoutMs);
  state.trace(group, `pending member ${memberId} (MEMBER_ID_REQUIRED)`);
  outbox.joinFailed(request.requestId, ErrorCode.MEMBER_ID_REQUIRED, memberId);
}

function joinKnownMember(state: CoordinatorState, group: Group, request: JoinRequest, protocols: readonly Protocol[], at: Now): void {
  const { outbox } = state;
  const { requestId, memberId } = request;
  if (group.state === 'Dead') return outbox.joinFailed(requestId, ErrorCode.COORDINATOR_NOT_AVAILABLE, memberId);
  if (!group.supportsProtocols(request.protocolType, protocols)) {
    return outbox.joinFailed(requestId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId);
  }
  if (group.pendingMembers.has(memberId)) {
    state.dropPendingMember(group, memberId);
    return addMemberAndRebalance(state, group, memberId, request, protocols, at);
  }
  const member = group.members.get(memberId);
  if (member === undefined) return outbox.joinFailed(requestId, ErrorCode.UNKNOWN_MEMBER_ID, memberId);
  switch (group.state) {
    case 'PreparingRebalance':
      return updateMemberAndRebalance(state, group, member, request, protocols, at);
    case 'CompletingRebalance':
      if (!member.matches(protocols)) return updateMemberAndRebalance(state, group, member, request, protocols, at);
      // The member lost our answer: it gets this generation's again.
      return outbox.replyJoin(requestId, joinAnswer(group, member, group.isLeader(memberId)));
    case 'Stable':
      // A rejoining leader forces a rebalance: it may have seen topic metadata change.
      if (group.isLeader(memberId) || !member.matches(protocols)) {
        return updateMemberAndRebalance(state, group, member, request, protocols, at);
      }
      return outbox.replyJoin(requestId, joinAnswer(group, member, false));
    case 'Empty':
      return outbox.joinFailed(requestId, ErrorCode.UNKNOWN_MEMBER_ID, memberId);
  }
}

function addMemberAndRebalance(state: CoordinatorState, group: Group, memberId: string, request: JoinRequest, protocols: readonly Protocol[], at: Now): void {
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
  state.addMember(group, member);
  state.trace(group, `member ${memberId} joined`);
  // A new member cannot heartbeat before it has its id; its JoinGroup is what times out.
  state.timers.scheduleHeartbeat(group, member, at, state.options.newMemberJoinTimeoutMs);
  maybePrepareRebalanceOrCompleteJoin(state, group, at, `member ${memberId} joined`);
}

function updateMemberAndRebalance(state: CoordinatorState, group: Group, member: Member, request: JoinRequest, protocols: readonly Protocol[], at: Now): void {
  if (!state.fits(protocolBytes(protocols) - protocolBytes(member.protocols))) {
    return state.outbox.joinFailed(request.requestId, ErrorCode.GROUP_MAX_SIZE_REACHED, member.memberId);
  }
  if (member.awaitingJoin !== null) {
    state.outbox.joinFailed(member.awaitingJoin, ErrorCode.REBALANCE_IN_PROGRESS, member.memberId);
  }
  state.updateProtocols(group, member, protocols);
  member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
  member.sessionTimeoutMs = request.sessionTimeoutMs;
  member.awaitingJoin = request.requestId;
  maybePrepareRebalanceOrCompleteJoin(state, group, at, `member ${member.memberId} rejoined`);
}

/** A client id and a version-4 UUID from the seeded random source, as Kafka forms member ids. */
function newMemberId(state: CoordinatorState, clientId: string): string {
  const { random } = state.options;
  const bytes = Array.from({ length: 16 }, () => random.between(0, 255));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return `${clientId}-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function protocolBytes(protocols: readonly Protocol[]): number {
  return protocols.reduce((sum, p) => sum + p.metadata.length, 0);
}
