/**
 * Elections: pre-vote (KIP-996), votes, BeginQuorumEpoch and EndQuorumEpoch (KIP-595), and
 * the timers that start them. Only voters vote or campaign; a request from a non-voter is
 * answered INCONSISTENT_VOTER_SET and changes nothing.
 */
import { epochJumpMax } from './limits.js';
import type {
  BeginQuorumEpochRequest,
  EndQuorumEpochRequest,
  RaftError,
  RaftResponse,
  VoteRequest,
  VoteResponse,
} from './messages.js';
import { electionDeadline, emit, majority, send } from './state.js';
import type { NodeState } from './state.js';
import {
  becomeCandidate,
  becomeLeader,
  becomeProspective,
  becomeUnattached,
  learnLeader,
  vote,
} from './transitions.js';

/** Raft §5.4.1: the candidate's log is at least as up to date as ours. */
function logIsUpToDate(state: NodeState, request: VoteRequest): boolean {
  const ourEpoch = state.log.lastEpoch;
  if (request.lastEpoch !== ourEpoch) return request.lastEpoch > ourEpoch;
  return request.logEndOffset >= state.log.endOffset;
}

/**
 * A follower that fetched from its leader within the fetch timeout (or became a follower
 * less than a fetch timeout ago) believes the leader is alive and refuses to help replace it
 * (KIP-996; Raft thesis §4.2.3). This is what keeps a node that rejoins from a partition, or
 * that cannot hear the leader over a one-way link, from deposing a healthy leader.
 */
function hearsLeader(state: NodeState): boolean {
  return (
    state.role.kind === 'follower' &&
    state.now - state.role.lastFetchSuccessTick < state.options.fetchTimeoutTicks
  );
}

function respondVote(
  state: NodeState,
  request: VoteRequest,
  voteGranted: boolean,
  error: RaftError = 'NONE',
): void {
  const { nodeId } = state.options;
  send(state, {
    kind: 'VoteResponse',
    from: nodeId,
    to: request.from,
    error,
    epoch: state.epoch,
    leaderId: state.leaderId,
    preVote: request.preVote,
    voteGranted,
  });
}

export function handleVoteRequest(state: NodeState, request: VoteRequest): void {
  if (!state.isVoter || !state.voters.has(request.from))
    return respondVote(state, request, false, 'INCONSISTENT_VOTER_SET');
  if (request.lastEpoch > request.epoch) {
    // A log cannot hold entries of an epoch the candidate has not reached: a corrupt request.
    return emit(state, 'dropped', `vote from ${request.from}: last epoch above its epoch`);
  }
  if (request.epoch > state.epoch + epochJumpMax) {
    emit(
      state,
      'refused',
      `vote for epoch ${request.epoch} from ${request.from} jumps more than ${epochJumpMax}`,
    );
    return respondVote(state, request, false);
  }
  if (request.preVote) return respondVote(state, request, grantsPreVote(state, request));
  if (request.epoch < state.epoch) return respondVote(state, request, false);
  if (request.epoch > state.epoch) {
    if (hearsLeader(state)) {
      emit(
        state,
        'refused',
        `vote for epoch ${request.epoch} from ${request.from}: leader ${state.leaderId} is alive`,
      );
      return respondVote(state, request, false);
    }
    becomeUnattached(
      state,
      request.epoch,
      `vote request for epoch ${request.epoch} from node ${request.from}`,
    );
  }
  const free = state.votedFor === null || state.votedFor === request.from;
  const granted = free && state.leaderId === null && logIsUpToDate(state, request);
  if (granted) {
    vote(state, request.from);
    // Granting resets our timer: give the candidate a full election timeout to win.
    if (state.role.kind !== 'unattached')
      becomeUnattached(state, state.epoch, `voted for node ${request.from}`);
    else state.role.electionDeadline = electionDeadline(state);
  }
  respondVote(state, request, granted);
}

/** Pre-vote changes nothing here: grant if a real vote in the proposed epoch could be granted. */
function grantsPreVote(state: NodeState, request: VoteRequest): boolean {
  if (request.epoch <= state.epoch) return false;
  if (state.role.kind === 'leader' || hearsLeader(state)) return false;
  return logIsUpToDate(state, request);
}

export function handleVoteResponse(state: NodeState, response: VoteResponse): void {
  if (!learnFromResponse(state, response)) return;
  if (!response.voteGranted || response.epoch > state.epoch) return;
  const role = state.role;
  if (response.preVote && role.kind === 'prospective') {
    role.granted.add(response.from);
    if (role.granted.size >= majority(state))
      becomeCandidate(state, `pre-vote won with ${role.granted.size} of ${state.voters.size}`);
    return;
  }
  if (!response.preVote && role.kind === 'candidate' && response.epoch === state.epoch) {
    role.granted.add(response.from);
    if (role.granted.size >= majority(state)) becomeLeader(state);
  }
}

/** Any answer from a voter may tell us of a newer epoch or of our epoch's leader. */
function learnFromResponse(state: NodeState, response: RaftResponse): boolean {
  if (!state.voters.has(response.from)) return false;
  return learnLeader(state, response.epoch, response.leaderId, response.from, `node ${response.from}`);
}

export function handleBeginQuorumEpoch(state: NodeState, request: BeginQuorumEpochRequest): void {
  const respond = (error: RaftError): void =>
    send(state, {
      kind: 'BeginQuorumEpochResponse',
      from: state.options.nodeId,
      to: request.from,
      error,
      epoch: state.epoch,
      leaderId: state.leaderId,
    });
  if (!state.isVoter || !state.voters.has(request.from) || request.leaderId !== request.from)
    return respond('INCONSISTENT_VOTER_SET');
  if (request.epoch < state.epoch) return respond('FENCED_LEADER_EPOCH');
  if (
    !learnLeader(
      state,
      request.epoch,
      request.leaderId,
      request.from,
      `BeginQuorumEpoch from node ${request.from}`,
    )
  )
    return;
  respond('NONE');
}

export function handleEndQuorumEpoch(state: NodeState, request: EndQuorumEpochRequest): void {
  const respond = (error: RaftError): void =>
    send(state, {
      kind: 'EndQuorumEpochResponse',
      from: state.options.nodeId,
      to: request.from,
      error,
      epoch: state.epoch,
      leaderId: state.leaderId,
    });
  if (!state.isVoter || !state.voters.has(request.from) || request.leaderId !== request.from)
    return respond('INCONSISTENT_VOTER_SET');
  if (request.epoch < state.epoch) return respond('FENCED_LEADER_EPOCH');
  if (!learnLeader(state, request.epoch, null, request.from, `EndQuorumEpoch from node ${request.from}`)) return;
  const role = state.role;
  if (role.kind === 'follower' && state.leaderId === request.from) {
    const deadline = state.now + successorDelay(state, request);
    becomeUnattached(state, state.epoch, `leader ${request.from} resigned`, deadline);
  } else if (role.kind === 'unattached') {
    // The leader already told us it stepped down, in the answer to a fetch it held
    // (fetch-purgatory.ts), which may overtake this request: still campaign in turn.
    role.electionDeadline = Math.min(role.electionDeadline, state.now + successorDelay(state, request));
  }
  respond('NONE');
}

/** The first preferred successor campaigns at once; the others wait their turn (KIP-595). */
function successorDelay(state: NodeState, request: EndQuorumEpochRequest): number {
  const rank = request.preferredSuccessors.indexOf(state.options.nodeId);
  return rank === 0 ? 0 : state.options.random.between(1, state.options.electionBackoffMaxTicks);
}

export function handleQuorumEpochResponse(state: NodeState, response: RaftResponse): void {
  learnFromResponse(state, response);
}

/** Election timers of the roles that have them; the leader's check is in replication. */
export function tickElection(state: NodeState): void {
  const role = state.role;
  if (!state.isVoter) {
    // An observer that lost its leader goes back to asking the voters who leads.
    if (
      role.kind === 'follower' &&
      state.now - role.lastFetchSuccessTick >= state.options.fetchTimeoutTicks
    ) {
      becomeUnattached(
        state,
        state.epoch,
        `fetch timeout: no answer from leader ${state.leaderId}`,
      );
    }
    return;
  }
  if (role.kind === 'unattached' && state.now >= role.electionDeadline)
    return becomeProspective(state, 'election timeout');
  if (
    role.kind === 'follower' &&
    state.now - role.lastFetchSuccessTick >= role.patienceTicks
  ) {
    return becomeProspective(state, `fetch timeout: no answer from leader ${state.leaderId}`);
  }
  if (role.kind === 'prospective' && state.now >= role.deadline) {
    return becomeProspective(state, 'pre-vote timed out');
  }
  if (role.kind === 'candidate' && state.now >= role.deadline) {
    const backoff = state.options.random.between(1, state.options.electionBackoffMaxTicks);
    becomeUnattached(state, state.epoch, 'election timed out', state.now + backoff);
  }
}
