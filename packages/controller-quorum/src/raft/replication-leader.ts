/**
 * The leader's half of pull replication (KIP-595): answer Fetch, track what each voter has
 * proven it holds, move the high watermark, and resign when a majority stops fetching.
 */
import { assert } from '@rill/base';
import {
  currentAnswer,
  fetchError,
  hasNewHighWatermark,
  sendFetchAnswer,
  sendFetchResponse,
} from './fetch-answer.js';
import { holdFetch } from './fetch-purgatory.js';
import { observersTrackedMax } from './limits.js';
import type { FetchRequest } from './messages.js';
import { emit, majority, newReplicaProgress, send } from './state.js';
import type { NodeState, ReplicaProgress } from './state.js';

export function handleFetchRequest(state: NodeState, request: FetchRequest): void {
  const error = fetchError(state, request.epoch);
  if (error !== 'NONE') return sendFetchResponse(state, request, { error });
  const problem = inconsistency(request);
  if (problem !== null) return emit(state, 'dropped', `fetch from ${request.from}: ${problem}`);
  const answer = currentAnswer(state, request);
  recordFetch(state, request.from, answer.kind === 'entries' ? request.fetchOffset : null);
  // Checked after recordFetch: this very fetch may have moved the high watermark.
  const caughtUp = answer.kind === 'entries' && answer.entries.length === 0;
  if (caughtUp && !hasNewHighWatermark(state, request)) return holdFetch(state, request);
  sendFetchAnswer(state, request, answer);
}

/** A fetcher's own log cannot look like this: a corrupt request. */
function inconsistency(request: FetchRequest): string | null {
  if (request.lastFetchedEpoch > request.epoch)
    return `last fetched epoch ${request.lastFetchedEpoch} after its epoch`;
  if (request.highWatermark > request.fetchOffset)
    return `high watermark ${request.highWatermark} above its log end ${request.fetchOffset}`;
  return null;
}

/**
 * A valid Fetch or FetchSnapshot: from a voter it keeps us leader (check-quorum) and may move
 * the high watermark; from anyone it updates what DescribeQuorum reports. `provenEndOffset`
 * is the fetch offset when the fetch was answered with entries (the logs agree up to it).
 */
export function recordFetch(state: NodeState, nodeId: number, provenEndOffset: number | null): void {
  if (state.role.kind !== 'leader') return;
  const voter = state.role.progress.get(nodeId);
  if (voter !== undefined) voter.lastFetchTick = state.now;
  const replica = voter ?? observerProgress(state, nodeId);
  if (replica === null) return;
  trackFetch(replica, state, provenEndOffset);
  if (voter !== undefined && provenEndOffset !== null) advanceHighWatermark(state);
}

/**
 * KIP-836's caught-up time: a fetch from at or past our log end means the replica holds
 * everything now; one that reaches our log end of its previous fetch means it held
 * everything we had then, as of that previous fetch.
 */
function trackFetch(replica: ReplicaProgress, state: NodeState, provenEndOffset: number | null): void {
  if (provenEndOffset !== null) {
    const leaderEnd = state.log.endOffset;
    const previous = replica.leaderEndAtLastFetch;
    if (provenEndOffset >= leaderEnd) replica.caughtUpTick = state.now;
    else if (previous !== null && provenEndOffset >= previous && replica.fetchedTick !== null)
      replica.caughtUpTick = Math.max(replica.caughtUpTick ?? -1, replica.fetchedTick);
    replica.leaderEndAtLastFetch = leaderEnd;
    replica.endOffset = provenEndOffset;
  }
  replica.fetchedTick = state.now;
}

/**
 * The progress of a non-voter; a new one is tracked, and when observersTrackedMax are, the
 * one silent longest is forgotten first. The leader itself is never an observer.
 */
function observerProgress(state: NodeState, nodeId: number): ReplicaProgress | null {
  if (state.role.kind !== 'leader' || nodeId === state.options.nodeId || state.voters.has(nodeId)) return null;
  const observers = state.role.observers;
  const known = observers.get(nodeId);
  if (known !== undefined) return known;
  if (observers.size >= observersTrackedMax) {
    let stalest: number | null = null;
    let stalestTick = Infinity;
    for (const [id, p] of observers) {
      if ((p.fetchedTick ?? -1) < stalestTick) [stalest, stalestTick] = [id, p.fetchedTick ?? -1];
    }
    if (stalest !== null) observers.delete(stalest);
  }
  const progress = newReplicaProgress();
  observers.set(nodeId, progress);
  return progress;
}

/**
 * The high watermark is the largest log end a majority of voters holds (our own log end
 * counts: the driver persisted it before this step). It moves only once that offset is in
 * our own epoch: entries of older epochs commit indirectly (Raft §5.4.2, KIP-595).
 */
export function advanceHighWatermark(state: NodeState): void {
  if (state.role.kind !== 'leader') return;
  const ends = [state.log.endOffset];
  for (const progress of state.role.progress.values()) ends.push(progress.endOffset);
  ends.sort((a, b) => b - a);
  const replicated = ends[majority(state) - 1]!;
  if (replicated <= state.highWatermark) return;
  if (state.log.epochAt(replicated - 1) !== state.epoch) return;
  assert(replicated <= state.log.endOffset, 'high watermark within the log');
  state.highWatermark = replicated;
}

/** Check-quorum (KIP-595 leader progress timeout): true while a majority fetched recently. */
export function hasQuorumContact(state: NodeState): boolean {
  if (state.role.kind !== 'leader') return false;
  let contacts = 1;
  for (const progress of state.role.progress.values()) {
    if (state.now - progress.lastFetchTick < state.options.fetchTimeoutTicks) contacts++;
  }
  return contacts >= majority(state);
}

/** Re-announce the epoch to voters silent for a request timeout (they may have restarted). */
export function resendBeginQuorumEpoch(state: NodeState): void {
  if (state.role.kind !== 'leader') return;
  const timeout = state.options.requestTimeoutTicks;
  for (const [to, progress] of state.role.progress) {
    if (state.now - Math.max(progress.lastFetchTick, progress.lastBeginTick) < timeout) continue;
    progress.lastBeginTick = state.now;
    send(state, {
      kind: 'BeginQuorumEpochRequest',
      from: state.options.nodeId,
      to,
      epoch: state.epoch,
      leaderId: state.options.nodeId,
    });
  }
}
