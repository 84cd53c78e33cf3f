/**
 * Long polling on the leader, as KRaft's fetch purgatory does it: a Fetch from a replica that
 * already holds our whole log and knows our high watermark is held (one per fetching node),
 * and answered when there is news for it (new entries, a high watermark it has not seen), when
 * it has waited fetchMaxWaitTicks, or with the error that applies once we stop leading. Every
 * held fetch is answered exactly once. Fetchers send their next fetch as soon as one is
 * answered, so holding is what keeps an idle quorum quiet, and what makes news travel at once.
 */
import { assert } from '@rill/base';
import { heldFetchesMax } from './limits.js';
import type { FetchRequest } from './messages.js';
import {
  currentAnswer,
  fetchError,
  hasNewHighWatermark,
  sendFetchAnswer,
  sendFetchResponse,
} from './fetch-answer.js';
import type { NodeState, RoleState } from './state.js';

/** Hold a fetch the leader has nothing new for; a full purgatory answers it at once instead. */
export function holdFetch(state: NodeState, request: FetchRequest): void {
  assert(state.role.kind === 'leader', 'only a leader holds fetches');
  const held = state.role.heldFetches;
  const displaced = held.get(request.from);
  if (displaced === undefined && held.size >= heldFetchesMax) {
    return sendFetchAnswer(state, request, currentAnswer(state, request));
  }
  held.set(request.from, { request, sinceTick: state.now });
  // Answer the fetch this one replaces rather than forget it: a duplicate delivered late can
  // displace a newer fetch its sender still waits for, which would then cost a request timeout.
  if (displaced !== undefined) {
    sendFetchAnswer(state, displaced.request, currentAnswer(state, displaced.request));
  }
}

/** After every step of a leader: answer the held fetches that have news or waited long enough. */
export function completeHeldFetches(state: NodeState): void {
  if (state.role.kind !== 'leader') return;
  const held = state.role.heldFetches;
  for (const [nodeId, { request, sinceTick }] of held) {
    // Our log only grows while we lead, and a held fetch was at its end: any growth is news.
    const news = request.fetchOffset !== state.log.endOffset || hasNewHighWatermark(state, request);
    if (!news && state.now - sinceTick < state.options.fetchMaxWaitTicks) continue;
    held.delete(nodeId);
    sendFetchAnswer(state, request, currentAnswer(state, request));
  }
}

/**
 * We stopped leading: tell every fetcher we held what it now needs to know (a newer epoch and
 * its leader, or that this epoch has none), so it looks for the new leader at once.
 */
export function releaseHeldFetches(state: NodeState, previousRole: RoleState): void {
  if (previousRole.kind !== 'leader') return;
  for (const { request } of previousRole.heldFetches.values()) {
    sendFetchResponse(state, request, { error: fetchError(state, request.epoch) });
  }
  previousRole.heldFetches.clear();
}
