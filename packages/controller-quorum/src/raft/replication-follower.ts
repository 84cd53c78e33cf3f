/**
 * The fetching half of pull replication, for followers and observers: one Fetch (or
 * FetchSnapshot) in flight, retried after the request timeout, the next sent as soon as one
 * is answered (the leader holds a fetch until it has news: long polling); entries appended
 * only when they continue our log; truncation only where the leader says we diverge, never
 * below the high watermark (KIP-595; reliability plan §1.2 "Rill rule").
 */
import { fetchBytesMax } from './limits.js';
import type { FetchResponse, RaftResponse } from './messages.js';
import { SnapshotDownload, checkSnapshotFits } from './snapshot-download.js';
import { emit, nextCorrelationId, send } from './state.js';
import type { Fetcher, NodeState } from './state.js';
import { becomeUnattached, learnLeader } from './transitions.js';
import type { Entry } from './types.js';

/** The fetcher of our role, if our role fetches: followers, and observers looking for a leader. */
export function activeFetcher(state: NodeState): Fetcher | null {
  if (state.role.kind === 'follower') return state.role.fetcher;
  if (state.role.kind === 'unattached' && !state.isVoter) return state.role.fetcher;
  return null;
}

/** Send the next request if none is in flight and it is due; give up on one that timed out. */
export function pollFetcher(state: NodeState): void {
  const fetcher = activeFetcher(state);
  if (fetcher === null) return;
  if (fetcher.inFlight !== null) {
    if (state.now - fetcher.inFlight.sentTick < state.options.requestTimeoutTicks) return;
    fetcher.inFlight = null;
  }
  if (state.now < fetcher.nextFetchTick) return;
  const to = state.leaderId ?? pickVoter(state);
  const correlationId = nextCorrelationId(state);
  fetcher.inFlight = { correlationId, sentTick: state.now, to };
  const from = state.options.nodeId;
  const download = fetcher.download;
  if (download !== null) {
    const maxBytes = state.options.snapshotChunkBytes;
    send(state, {
      kind: 'FetchSnapshotRequest',
      from,
      to,
      correlationId,
      epoch: state.epoch,
      snapshotId: download.snapshotId,
      position: download.position,
      maxBytes,
    });
    return;
  }
  const log = state.log;
  const maxBytes = Math.min(state.options.maxFetchBytes, fetchBytesMax);
  send(state, {
    kind: 'FetchRequest',
    from,
    to,
    correlationId,
    epoch: state.epoch,
    fetchOffset: log.endOffset,
    lastFetchedEpoch: log.lastEpoch,
    highWatermark: state.highWatermark,
    maxBytes,
  });
}

/** An observer without a leader asks voters in turn; any of them can name the leader. */
function pickVoter(state: NodeState): number {
  const voters = [...state.voters].filter((id) => id !== state.options.nodeId);
  return voters[state.options.random.between(0, voters.length - 1)]!;
}

/**
 * Shared first half of handling a Fetch or FetchSnapshot response: learn the epoch, match it
 * to our request, handle errors. Returns the fetcher when the body should be processed.
 */
export function acceptFetchResponse(
  state: NodeState,
  response: Extract<RaftResponse, { correlationId: number }>,
): Fetcher | null {
  if (!state.voters.has(response.from)) return null;
  if (!learnLeader(state, response.epoch, response.leaderId, response.from, `node ${response.from}`)) return null;
  const fetcher = activeFetcher(state);
  const inFlight = fetcher?.inFlight;
  if (fetcher === null || inFlight === null || inFlight === undefined) return null;
  if (inFlight.correlationId !== response.correlationId || inFlight.to !== response.from)
    return null;
  fetcher.inFlight = null;
  if (
    response.error === 'NONE' &&
    state.role.kind === 'follower' &&
    response.epoch === state.epoch &&
    response.from === state.leaderId
  ) {
    state.role.lastFetchSuccessTick = state.now;
    return fetcher;
  }
  fetcher.nextFetchTick = state.now + state.options.fetchBackoffTicks;
  const leaderGone = response.error === 'NOT_LEADER_OR_FOLLOWER' && response.leaderId === null;
  if (leaderGone && response.epoch === state.epoch && response.from === state.leaderId) {
    becomeUnattached(
      state,
      state.epoch,
      `node ${response.from} no longer leads epoch ${state.epoch}`,
    );
  }
  if (response.error === 'SNAPSHOT_NOT_FOUND' || response.error === 'POSITION_OUT_OF_RANGE') {
    fetcher.download = null;
    fetcher.nextFetchTick = state.now;
  }
  return null;
}

export function handleFetchResponse(state: NodeState, response: FetchResponse): void {
  const fetcher = acceptFetchResponse(state, response);
  if (fetcher === null) return;
  if (fetcher.download !== null) return;
  if (response.snapshotId !== null) {
    const id = {
      lastOffset: response.snapshotId.lastOffset,
      lastEpoch: response.snapshotId.lastEpoch,
    };
    const problem = checkSnapshotFits(state, id);
    if (problem === null) fetcher.download = new SnapshotDownload(id);
    else emit(state, 'refused', `snapshot offered by ${response.from}: ${problem}`);
    fetcher.nextFetchTick = state.now + (problem === null ? 0 : state.options.fetchBackoffTicks);
    return;
  }
  if (response.divergingEpoch !== null)
    return truncateToDivergence(state, fetcher, response.divergingEpoch);
  if (response.entries.length > 0 && !appendFetched(state, response)) {
    fetcher.nextFetchTick = state.now + state.options.fetchBackoffTicks;
    return;
  }
  // The leader only answers entries (or nothing) when our log matches its own up to our
  // log end, so its high watermark applies to us up to there.
  const highWatermark = Math.min(response.highWatermark, state.log.endOffset);
  if (highWatermark > state.highWatermark) state.highWatermark = highWatermark;
  // Even an empty answer: the leader held it until it had news or its max wait ran out.
  fetcher.nextFetchTick = state.now;
}

function appendFetched(state: NodeState, response: FetchResponse): boolean {
  const problem = checkFetchedEntries(state, response.entries, response.epoch);
  if (problem !== null) {
    emit(state, 'refused', `fetch response from ${response.from}: ${problem}`);
    return false;
  }
  // Copy: the entries are now ours, whatever the driver does with the decoded message.
  const entries = response.entries.map((entry) => ({
    offset: entry.offset,
    epoch: entry.epoch,
    payload: entry.payload,
  }));
  state.log.append(entries);
  state.effects.persistEntries(entries);
  return true;
}

/** Entries must continue our log densely, with epochs that never go back nor pass the leader's. */
function checkFetchedEntries(
  state: NodeState,
  entries: readonly Entry[],
  leaderEpoch: number,
): string | null {
  let offset = state.log.endOffset;
  let epoch = state.log.lastEpoch;
  for (const entry of entries) {
    if (entry.offset !== offset) return `entry at ${entry.offset}, expected ${offset}`;
    if (entry.epoch < epoch) return `epoch ${entry.epoch} at ${entry.offset} after ${epoch}`;
    if (entry.epoch > leaderEpoch)
      return `epoch ${entry.epoch} at ${entry.offset} above the leader's ${leaderEpoch}`;
    offset++;
    epoch = entry.epoch;
  }
  return null;
}

function truncateToDivergence(
  state: NodeState,
  fetcher: Fetcher,
  diverging: { epoch: number; endOffset: number },
): void {
  const log = state.log;
  const ours = log.endOffsetForEpoch(diverging.epoch);
  const target = Math.min(diverging.endOffset, ours?.endOffset ?? -1, log.endOffset);
  if (ours === null || target < state.highWatermark || target >= log.endOffset) {
    emit(
      state,
      'refused',
      `truncation to ${target} (high watermark ${state.highWatermark}, log end ${log.endOffset})`,
    );
    fetcher.nextFetchTick = state.now + state.options.fetchBackoffTicks;
    return;
  }
  log.truncateFrom(target);
  state.effects.persistTruncation(target);
  emit(
    state,
    'truncated',
    `diverged from the leader after epoch ${diverging.epoch}: log end ${target}`,
  );
  fetcher.nextFetchTick = state.now;
}
