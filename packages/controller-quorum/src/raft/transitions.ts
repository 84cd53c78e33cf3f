/**
 * Every change of role or epoch goes through here, so the rules that make them safe sit in
 * one place: the epoch only grows, a new epoch clears the vote, and the hard state is marked
 * for persistence whenever epoch or vote change.
 */
import { assert } from '@rill/base';
import { releaseHeldFetches } from './fetch-purgatory.js';
import { epochJumpMax } from './limits.js';
import { advanceHighWatermark } from './replication-leader.js';
import {
  electionDeadline,
  emit,
  majority,
  newFetcher,
  newReplicaProgress,
  otherVoters,
  send,
} from './state.js';
import type { NodeState } from './state.js';
import type { Entry } from './types.js';

/** The entry a new leader writes first: its epoch must commit before anything else may. */
export const leaderChangePayload = Buffer.alloc(0);

/** True for the no-op a leader appends on election; the state machine skips these. */
export function isLeaderChangeEntry(entry: Entry): boolean {
  return entry.payload.length === 0;
}

function setEpoch(state: NodeState, epoch: number): void {
  assert(epoch >= state.epoch, `epoch ${epoch} below ${state.epoch}`);
  if (epoch === state.epoch) return;
  state.epoch = epoch;
  state.votedFor = null;
  state.effects.hardStateChanged = true;
}

export function vote(state: NodeState, candidateId: number): void {
  assert(state.votedFor === null || state.votedFor === candidateId, 'one vote per epoch');
  if (state.votedFor === candidateId) return;
  state.votedFor = candidateId;
  state.effects.hardStateChanged = true;
}

/** No leader known in `epoch`. `deadline` overrides the randomized election timer. */
export function becomeUnattached(
  state: NodeState,
  epoch: number,
  reason: string,
  deadline?: number,
): void {
  setEpoch(state, epoch);
  state.leaderId = null;
  const previous = state.role;
  state.role = {
    kind: 'unattached',
    electionDeadline: deadline ?? electionDeadline(state),
    fetcher: newFetcher(state.now),
  };
  releaseHeldFetches(state, previous);
  emit(state, 'role', reason);
}

export function becomeFollower(
  state: NodeState,
  epoch: number,
  leaderId: number,
  reason: string,
): void {
  assert(state.voters.has(leaderId), 'a leader is a voter');
  assert(leaderId !== state.options.nodeId, 'we never follow ourselves');
  setEpoch(state, epoch);
  state.leaderId = leaderId;
  const previous = state.role;
  // The lease starts now: KIP-996 refuses pre-votes until a fetch timeout passes without a fetch.
  state.role = {
    kind: 'follower',
    lastFetchSuccessTick: state.now,
    patienceTicks:
      state.options.fetchTimeoutTicks + state.options.random.between(0, state.options.electionTimeoutTicks - 1),
    fetcher: newFetcher(state.now),
  };
  releaseHeldFetches(state, previous);
  emit(state, 'role', reason);
}

/** KIP-996: ask whether we could win before bumping the epoch anyone has to adopt. */
export function becomeProspective(state: NodeState, reason: string): void {
  assert(state.isVoter, 'observers never campaign');
  const role = state.role;
  const retainedLeaderId =
    role.kind === 'follower' ? state.leaderId : role.kind === 'prospective' ? role.retainedLeaderId : null;
  state.leaderId = null;
  state.role = {
    kind: 'prospective',
    granted: new Set([state.options.nodeId]),
    deadline: electionDeadline(state),
    retainedLeaderId,
  };
  emit(state, 'role', reason);
  const log = state.log;
  for (const to of otherVoters(state)) {
    send(state, {
      kind: 'VoteRequest',
      from: state.options.nodeId,
      to,
      epoch: state.epoch + 1,
      preVote: true,
      lastEpoch: log.lastEpoch,
      logEndOffset: log.endOffset,
    });
  }
  if (state.role.granted.size >= majority(state))
    becomeCandidate(state, 'pre-vote won: single voter');
}

export function becomeCandidate(state: NodeState, reason: string): void {
  assert(state.isVoter, 'observers never campaign');
  setEpoch(state, state.epoch + 1);
  vote(state, state.options.nodeId);
  state.leaderId = null;
  state.role = {
    kind: 'candidate',
    granted: new Set([state.options.nodeId]),
    deadline: electionDeadline(state),
  };
  emit(state, 'role', reason);
  const log = state.log;
  for (const to of otherVoters(state)) {
    send(state, {
      kind: 'VoteRequest',
      from: state.options.nodeId,
      to,
      epoch: state.epoch,
      preVote: false,
      lastEpoch: log.lastEpoch,
      logEndOffset: log.endOffset,
    });
  }
  if (state.role.granted.size >= majority(state)) becomeLeader(state);
}

export function becomeLeader(state: NodeState): void {
  assert(state.role.kind === 'candidate', 'only a candidate becomes leader');
  assert(state.votedFor === state.options.nodeId, 'a leader voted for itself');
  state.leaderId = state.options.nodeId;
  const progress = new Map(
    otherVoters(state).map((id) => [
      id,
      { ...newReplicaProgress(), lastFetchTick: state.now, lastBeginTick: state.now },
    ]),
  );
  state.role = { kind: 'leader', progress, observers: new Map(), heldFetches: new Map() };
  emit(state, 'role', `won the election with ${majority(state)} of ${state.voters.size} votes`);
  // Raft §5.4.2 / KIP-595: entries of older epochs only commit under one of our own.
  const entry: Entry = {
    offset: state.log.endOffset,
    epoch: state.epoch,
    payload: leaderChangePayload,
  };
  state.log.append([entry]);
  state.effects.persistEntries([entry]);
  for (const to of progress.keys()) {
    send(state, {
      kind: 'BeginQuorumEpochRequest',
      from: state.options.nodeId,
      to,
      epoch: state.epoch,
      leaderId: state.options.nodeId,
    });
  }
  advanceHighWatermark(state);
}

/**
 * A voter told us who leads which epoch. Adopt it if it is news: a newer epoch (with its
 * leader, when known) or the leader of our own epoch. Returns false when refused.
 */
export function learnLeader(
  state: NodeState,
  epoch: number,
  leaderId: number | null,
  from: number,
  source: string,
): boolean {
  if (epoch < state.epoch || (epoch === state.epoch && leaderId === state.leaderId)) return true;
  if (epoch > state.epoch + epochJumpMax) {
    emit(state, 'refused', `epoch ${epoch} from ${source} jumps more than ${epochJumpMax}`);
    return false;
  }
  const self = state.options.nodeId;
  if (leaderId === self || (leaderId !== null && !state.voters.has(leaderId))) {
    emit(state, 'refused', `${source} names ${leaderId} leader of epoch ${epoch}`);
    return false;
  }
  if (epoch > state.epoch) {
    if (leaderId === null) becomeUnattached(state, epoch, `epoch ${epoch} from ${source}`);
    else
      becomeFollower(state, epoch, leaderId, `leader ${leaderId} of epoch ${epoch} from ${source}`);
    return true;
  }
  if (leaderId === null) return true;
  if (state.role.kind === 'prospective' && leaderId === state.role.retainedLeaderId && from !== leaderId) {
    // We stopped hearing this leader; another voter naming it is no proof it lives. Only the
    // leader itself (a fetch answer, BeginQuorumEpoch) brings us back, or the voters that
    // still follow it would keep pulling us back after every pre-vote (KIP-996).
    return true;
  }
  if (state.leaderId !== null || state.role.kind === 'leader') {
    emit(
      state,
      'refused',
      `${source} names ${leaderId} leader of epoch ${epoch}, we know ${state.leaderId}`,
    );
    return false;
  }
  becomeFollower(state, epoch, leaderId, `leader ${leaderId} of epoch ${epoch} from ${source}`);
  return true;
}
