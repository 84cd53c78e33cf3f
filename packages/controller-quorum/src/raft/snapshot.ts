/**
 * Snapshots (KIP-630): the state machine hands us one for a committed offset and the log
 * start moves past it; the leader serves its latest snapshot in chunks to fetchers whose
 * fetch offset fell below its log start; a follower installs a downloaded one in place of
 * its log.
 */
import { snapshotBytesMax, snapshotChunkBytesMax } from './limits.js';
import type { FetchSnapshotRequest, FetchSnapshotResponse } from './messages.js';
import { acceptFetchResponse, activeFetcher } from './replication-follower.js';
import { fetchError } from './fetch-answer.js';
import { recordFetch } from './replication-leader.js';
import { checkSnapshotFits } from './snapshot-download.js';
import { emit, send } from './state.js';
import type { NodeState } from './state.js';
import type { RaftSnapshot, SnapshotId } from './types.js';

export function handleFetchSnapshotRequest(state: NodeState, request: FetchSnapshotRequest): void {
  const snapshot = state.log.snapshot;
  const id = request.snapshotId;
  const base = {
    kind: 'FetchSnapshotResponse',
    from: state.options.nodeId,
    to: request.from,
    correlationId: request.correlationId,
    epoch: state.epoch,
    leaderId: state.leaderId,
    snapshotId: id,
    size: 0,
    position: request.position,
    chunk: Buffer.alloc(0),
  } as const;
  const error = fetchError(state, request.epoch);
  if (error !== 'NONE') return send(state, { ...base, error });
  recordFetch(state, request.from, null);
  if (
    snapshot === null ||
    snapshot.lastOffset !== id.lastOffset ||
    snapshot.lastEpoch !== id.lastEpoch
  ) {
    return send(state, { ...base, error: 'SNAPSHOT_NOT_FOUND' });
  }
  const size = snapshot.data.length;
  if (request.position > size)
    return send(state, { ...base, error: 'POSITION_OUT_OF_RANGE', size });
  const chunkBytes = Math.max(
    1,
    Math.min(request.maxBytes, state.options.snapshotChunkBytes, snapshotChunkBytesMax),
  );
  const chunk = snapshot.data.subarray(request.position, request.position + chunkBytes);
  send(state, { ...base, error: 'NONE', size, chunk });
}

export function handleFetchSnapshotResponse(
  state: NodeState,
  response: FetchSnapshotResponse,
): void {
  const fetcher = acceptFetchResponse(state, response);
  const download = fetcher?.download ?? null;
  if (fetcher === null || download === null) return;
  const problem = download.accept(response);
  if (problem !== null) {
    // Start over from a fresh Fetch: the leader may have moved to a newer snapshot.
    emit(state, 'refused', `snapshot chunk from ${response.from}: ${problem}`);
    fetcher.download = null;
    fetcher.nextFetchTick = state.now + state.options.fetchBackoffTicks;
    return;
  }
  fetcher.nextFetchTick = state.now;
  if (!download.complete) return;
  fetcher.download = null;
  const snapshot = download.snapshot();
  const stillFits = checkSnapshotFits(state, snapshot);
  if (stillFits !== null) return emit(state, 'refused', `downloaded snapshot: ${stillFits}`);
  installSnapshot(state, snapshot);
  emit(state, 'snapshot', `installed the leader's snapshot up to offset ${snapshot.lastOffset}`);
}

function installSnapshot(state: NodeState, snapshot: RaftSnapshot): void {
  const truncateFrom = state.log.installSnapshot(snapshot);
  state.effects.persistSnapshot(snapshot);
  if (truncateFrom !== null) state.effects.persistTruncation(truncateFrom);
  // Everything in a snapshot is committed.
  if (snapshot.lastOffset + 1 > state.highWatermark) state.highWatermark = snapshot.lastOffset + 1;
}

/**
 * The state machine wrote a snapshot of everything up to `id`. Accept it if it is committed,
 * applied, newer than ours and matches our log; then the log start moves past it. Returns
 * why not, or null.
 */
export function takeSnapshot(state: NodeState, id: SnapshotId, data: Buffer): string | null {
  if (!Number.isSafeInteger(id.lastOffset) || !Number.isSafeInteger(id.lastEpoch))
    return 'offset and epoch must be integers';
  if (!Buffer.isBuffer(data) || data.length > snapshotBytesMax)
    return `data must be a Buffer of at most ${snapshotBytesMax} bytes`;
  if (id.lastOffset < state.log.startOffset)
    return `offset ${id.lastOffset} is below the log start ${state.log.startOffset}`;
  if (id.lastOffset >= state.appliedOffset)
    return `offset ${id.lastOffset} is not applied yet (applied up to ${state.appliedOffset})`;
  if (state.log.epochAt(id.lastOffset) !== id.lastEpoch)
    return `epoch ${id.lastEpoch} does not match the log at ${id.lastOffset}`;
  // A download in progress for an older snapshot is now useless.
  const fetcher = activeFetcher(state);
  if (fetcher?.download && fetcher.download.snapshotId.lastOffset <= id.lastOffset)
    fetcher.download = null;
  installSnapshot(state, { lastOffset: id.lastOffset, lastEpoch: id.lastEpoch, data });
  return null;
}
