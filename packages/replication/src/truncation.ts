/**
 * The follower's search for the point where its log and the leader's diverge (KIP-101,
 * KIP-279), one step per OffsetForLeaderEpoch answer, with the rules of Kafka's
 * AbstractFetcherThread.getOffsetTruncationState:
 *
 * 1. The follower asks the leader for the end offset of its own latest epoch
 *    (`firstEpochToAsk`).
 * 2. The leader answers with the largest epoch it knows not above the one asked, and where
 *    that epoch ends in its log (`LeaderEpochCache.endOffsetFor`).
 * 3. If the follower knows that epoch too, both logs agree up to the smaller of the two end
 *    offsets: truncate there and start fetching (`done`).
 * 4. If not, the follower truncates to where its own largest epoch below the answer ends,
 *    and asks again about that epoch (`askAgain`). Each round asks about a strictly smaller
 *    epoch, so the search ends.
 *
 * An undefined answer (the leader knows no epoch that old, or has none) falls back to the
 * follower's high watermark, Kafka's pre-KIP-101 behaviour; with leaders that record their
 * epoch on election it does not happen in practice.
 */
import type { EpochEndOffset, LeaderEpochCache } from './leader-epoch-cache.js';
import { undefinedEpochOffset } from './leader-epoch-cache.js';

export type TruncationStep =
  /** Truncate the log to `truncateTo` (may equal the log end offset: nothing to cut), then fetch from it. */
  | { readonly kind: 'done'; readonly truncateTo: number }
  /** Truncate the log to `truncateTo` now, then ask the leader about `epoch`. */
  | { readonly kind: 'askAgain'; readonly truncateTo: number; readonly epoch: number };

export interface TruncationInput {
  readonly cache: LeaderEpochCache;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly leaderAnswer: EpochEndOffset;
  /**
   * The epoch the follower asked about, when known. A leader answers with an epoch at or
   * below it; an answer above it is nonsense and is treated as undefined.
   */
  readonly askedEpoch?: number;
}

/**
 * Which epoch to ask the leader about first: the follower's latest. Null when its cache is
 * empty: the driver then truncates to its high watermark (Kafka's fallback), or simply
 * fetches from 0 when the log is empty.
 */
export function firstEpochToAsk(cache: LeaderEpochCache): number | null {
  const latest = cache.latestEpoch;
  return latest < 0 ? null : latest;
}

export function truncationStep(input: TruncationInput): TruncationStep {
  const { cache, logEndOffset, leaderAnswer } = input;
  if (!isDefinedAnswer(input)) {
    return { kind: 'done', truncateTo: Math.max(0, Math.min(input.highWatermark, logEndOffset)) };
  }
  const own = cache.endOffsetFor(leaderAnswer.epoch, logEndOffset);
  if (own.endOffset === undefinedEpochOffset) {
    // The follower tracks no epoch at or below the answer: the leader's end offset is the
    // best it has (Kafka, post-KIP-101 behaviour for followers without epochs).
    return { kind: 'done', truncateTo: Math.min(leaderAnswer.endOffset, logEndOffset) };
  }
  if (own.epoch !== leaderAnswer.epoch) {
    return {
      kind: 'askAgain',
      truncateTo: Math.min(own.endOffset, logEndOffset),
      epoch: own.epoch,
    };
  }
  return {
    kind: 'done',
    truncateTo: Math.min(leaderAnswer.endOffset, own.endOffset, logEndOffset),
  };
}

function isDefinedAnswer(input: TruncationInput): boolean {
  const { epoch, endOffset } = input.leaderAnswer;
  if (endOffset === undefinedEpochOffset) return false;
  if (!Number.isSafeInteger(endOffset) || endOffset < 0) return false;
  if (!Number.isSafeInteger(epoch) || epoch < 0) return false;
  return input.askedEpoch === undefined || epoch <= input.askedEpoch;
}
