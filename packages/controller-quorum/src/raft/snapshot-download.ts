/**
 * A follower assembling the leader's snapshot chunk by chunk (KIP-630 FetchSnapshot). Chunks
 * must arrive in order, inside the size the first one announced, and each must add bytes:
 * anything else is refused so a confused or hostile leader cannot make us hold a bad image.
 */
import { snapshotBytesMax } from './limits.js';
import type { FetchSnapshotResponse } from './messages.js';
import type { NodeState } from './state.js';
import type { RaftSnapshot, SnapshotId } from './types.js';

/**
 * Null when a snapshot from the leader may replace our log: it must not be older than our
 * own, and must not contradict an entry we know is committed.
 */
export function checkSnapshotFits(state: NodeState, id: SnapshotId): string | null {
  if (id.lastOffset < state.log.startOffset)
    return `ends at ${id.lastOffset}, below our log start ${state.log.startOffset}`;
  const ours = state.log.epochAt(id.lastOffset);
  if (id.lastOffset < state.highWatermark && ours !== null && ours !== id.lastEpoch) {
    return `epoch ${id.lastEpoch} at committed offset ${id.lastOffset} where we have ${ours}`;
  }
  return null;
}

export class SnapshotDownload {
  readonly #chunks: Buffer[] = [];
  #size: number | null = null;
  #received = 0;

  constructor(readonly snapshotId: SnapshotId) {}

  /** Byte position the next FetchSnapshot asks for. */
  get position(): number {
    return this.#received;
  }

  /** Take one chunk: null when accepted, otherwise why it was refused. */
  accept(response: FetchSnapshotResponse): string | null {
    const id = response.snapshotId;
    if (id.lastOffset !== this.snapshotId.lastOffset || id.lastEpoch !== this.snapshotId.lastEpoch)
      return 'chunk of another snapshot';
    if (response.position !== this.#received)
      return `chunk at ${response.position}, expected ${this.#received}`;
    if (response.size > snapshotBytesMax)
      return `snapshot of ${response.size} bytes is over ${snapshotBytesMax}`;
    if (this.#size !== null && response.size !== this.#size)
      return `size changed from ${this.#size} to ${response.size}`;
    if (response.position + response.chunk.length > response.size)
      return 'chunk past the end of the snapshot';
    if (response.chunk.length === 0 && response.size > this.#received)
      return 'empty chunk before the end';
    this.#size = response.size;
    if (response.chunk.length > 0) this.#chunks.push(Buffer.from(response.chunk));
    this.#received += response.chunk.length;
    return null;
  }

  get complete(): boolean {
    return this.#size !== null && this.#received === this.#size;
  }

  snapshot(): RaftSnapshot {
    return { ...this.snapshotId, data: Buffer.concat(this.#chunks) };
  }
}
