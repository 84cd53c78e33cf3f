/**
 * The follower side of one partition replica. A follower starts `truncating`: before it
 * fetches from a leader it has not followed in this leader epoch, it finds where its log and
 * the leader's diverge (truncation.ts, one OffsetForLeaderEpoch round trip per step) and cuts
 * its log there. Then it is `fetching` from its log end offset; every fetch answer carries
 * the leader's high watermark, and the follower's own is that, capped by what it has.
 */
import { assert } from '@rill/base';
import { epochMax, offsetMax, replicaIdMax } from './limits.js';

export type FollowerState = 'truncating' | 'fetching';

export interface PartitionFollowerOptions {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly logEndOffset: number;
  /** The last known HW (checkpoint, or the value from the previous leader). */
  readonly highWatermark: number;
}

export class PartitionFollower {
  readonly #leaderId: number;
  readonly #leaderEpoch: number;
  #state: FollowerState = 'truncating';
  #logEndOffset: number;
  #highWatermark: number;

  constructor(options: PartitionFollowerOptions) {
    const { leaderId, leaderEpoch, logEndOffset, highWatermark } = options;
    assert(isCount(leaderId, 0, replicaIdMax), `leaderId ${leaderId} out of range`);
    assert(isCount(leaderEpoch, 0, epochMax), `leaderEpoch ${leaderEpoch} out of range`);
    assert(isCount(logEndOffset, 0, offsetMax), `logEndOffset ${logEndOffset} out of range`);
    assert(isCount(highWatermark, 0, offsetMax), `highWatermark ${highWatermark} out of range`);
    this.#leaderId = leaderId;
    this.#leaderEpoch = leaderEpoch;
    this.#logEndOffset = logEndOffset;
    this.#highWatermark = Math.min(highWatermark, logEndOffset);
  }

  get leaderId(): number {
    return this.#leaderId;
  }
  get leaderEpoch(): number {
    return this.#leaderEpoch;
  }
  get state(): FollowerState {
    return this.#state;
  }
  get highWatermark(): number {
    return this.#highWatermark;
  }
  /** Where the next fetch starts: the local log end offset. */
  get fetchOffset(): number {
    return this.#logEndOffset;
  }
  get logEndOffset(): number {
    return this.#logEndOffset;
  }

  /** Truncation finished and the log now ends at `logEndOffset`: start fetching from there. */
  truncated(logEndOffset: number): void {
    assert(isCount(logEndOffset, 0, offsetMax), `logEndOffset ${logEndOffset} out of range`);
    this.#logEndOffset = logEndOffset;
    this.#highWatermark = Math.min(this.#highWatermark, logEndOffset);
    this.#state = 'fetching';
  }

  /**
   * The leader said our log no longer fits its own (OFFSET_OUT_OF_RANGE above its end, or a
   * diverging epoch): search for the divergence point again before the next fetch.
   */
  truncationNeeded(): void {
    this.#state = 'truncating';
  }

  /**
   * Data from the leader was appended (the log now ends at `newLogEndOffset`, which may
   * equal the previous end when the answer was empty); the answer carried
   * `leaderHighWatermark`. The follower's HW becomes min(leaderHW, log end offset) but never
   * goes back here (only `truncated` lowers it). Returns whether the HW changed.
   */
  fetched(newLogEndOffset: number, leaderHighWatermark: number): boolean {
    assert(this.#state === 'fetching', 'fetched() only while fetching');
    assert(
      Number.isSafeInteger(newLogEndOffset) && newLogEndOffset >= this.#logEndOffset,
      `appending never shortens the log: ${this.#logEndOffset} -> ${newLogEndOffset}`,
    );
    this.#logEndOffset = newLogEndOffset;
    if (!Number.isSafeInteger(leaderHighWatermark)) return false;
    const next = Math.min(leaderHighWatermark, newLogEndOffset);
    if (next <= this.#highWatermark) return false;
    this.#highWatermark = next;
    return true;
  }
}

function isCount(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}
