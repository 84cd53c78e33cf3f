/**
 * How the leader answers a Fetch (KIP-595): what a fetcher needs next given our log, and the
 * response that carries it. Shared by the answer given on arrival and the one a held fetch
 * gets later (fetch-purgatory.ts), so both say the same thing about the same log.
 */
import { assert } from '@rill/base';
import { fetchBytesMax, fetchEntriesMax } from './limits.js';
import type { RaftLog } from './log.js';
import type { FetchRequest, FetchResponse, RaftError } from './messages.js';
import { send } from './state.js';
import type { NodeState } from './state.js';
import type { Entry, SnapshotId } from './types.js';

export type FetchAnswer =
  | { readonly kind: 'entries'; readonly entries: Entry[] }
  | { readonly kind: 'diverging'; readonly epoch: number; readonly endOffset: number }
  | { readonly kind: 'snapshot'; readonly snapshotId: SnapshotId };

/** What a fetcher whose log ends at (fetchOffset, lastFetchedEpoch) needs next. Pure. */
export function answerFetch(
  log: RaftLog,
  request: FetchRequest,
  maxEntries: number,
  maxBytes: number,
): FetchAnswer {
  const { fetchOffset, lastFetchedEpoch } = request;
  const snapshot = log.snapshot;
  if (fetchOffset < log.startOffset) {
    assert(snapshot !== null, 'a log starting above 0 has a snapshot');
    return {
      kind: 'snapshot',
      snapshotId: { lastOffset: snapshot.lastOffset, lastEpoch: snapshot.lastEpoch },
    };
  }
  if (fetchOffset <= log.endOffset && log.epochAt(fetchOffset - 1) === lastFetchedEpoch) {
    return { kind: 'entries', entries: log.read(fetchOffset, maxEntries, maxBytes) };
  }
  const agreed = log.endOffsetForEpoch(lastFetchedEpoch);
  if (agreed === null) {
    assert(snapshot !== null, 'only a snapshot hides epochs');
    return {
      kind: 'snapshot',
      snapshotId: { lastOffset: snapshot.lastOffset, lastEpoch: snapshot.lastEpoch },
    };
  }
  return {
    kind: 'diverging',
    epoch: agreed.epoch,
    endOffset: Math.min(agreed.endOffset, fetchOffset),
  };
}

/** Our answer to `request` from the log as it is now, within our limits and the request's. */
export function currentAnswer(state: NodeState, request: FetchRequest): FetchAnswer {
  const maxEntries = Math.min(state.options.maxFetchEntries, fetchEntriesMax);
  const maxBytes = Math.min(request.maxBytes, state.options.maxFetchBytes, fetchBytesMax);
  return answerFetch(state.log, request, maxEntries, maxBytes);
}

/**
 * True when the fetcher would learn a higher high watermark from us: only the part below its
 * own log end applies to it, since only that part of its log is proven to match ours.
 */
export function hasNewHighWatermark(state: NodeState, request: FetchRequest): boolean {
  return Math.min(state.highWatermark, request.fetchOffset) > request.highWatermark;
}

/** The error a Fetch or FetchSnapshot in `epoch` gets from us, or NONE if we lead that epoch. */
export function fetchError(state: NodeState, epoch: number): RaftError {
  if (epoch < state.epoch) return 'FENCED_LEADER_EPOCH';
  if (epoch > state.epoch) return 'UNKNOWN_LEADER_EPOCH';
  return state.role.kind === 'leader' ? 'NONE' : 'NOT_LEADER_OR_FOLLOWER';
}

export function sendFetchAnswer(state: NodeState, request: FetchRequest, answer: FetchAnswer): void {
  if (answer.kind === 'entries') return sendFetchResponse(state, request, { entries: answer.entries });
  if (answer.kind === 'diverging')
    return sendFetchResponse(state, request, {
      divergingEpoch: { epoch: answer.epoch, endOffset: answer.endOffset },
    });
  sendFetchResponse(state, request, { snapshotId: answer.snapshotId });
}

export function sendFetchResponse(
  state: NodeState,
  request: FetchRequest,
  body: Partial<FetchResponse>,
): void {
  send(state, {
    kind: 'FetchResponse',
    from: state.options.nodeId,
    to: request.from,
    correlationId: request.correlationId,
    error: 'NONE',
    epoch: state.epoch,
    leaderId: state.leaderId,
    highWatermark: state.highWatermark,
    entries: [],
    divergingEpoch: null,
    snapshotId: null,
    ...body,
  });
}
