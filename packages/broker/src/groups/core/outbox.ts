/**
 * What the core has to say to its driver: replies to requests and appends to
 * __consumer_offsets, held until drained, and for each append what to do once its outcome
 * is known.
 */
import type { CoreEffects, GroupResult, JoinResult, Reply, SyncResult } from '../core-types.js';
import type { EncodedRecord, OffsetCommitValue } from '../group-records.js';
import type { Group } from '../group.js';

export interface AppliedOffset {
  /** Where the offset stands in its OffsetCommit request, for the error code it gets. */
  readonly index: number;
  readonly topic: string;
  readonly partition: number;
  readonly value: OffsetCommitValue;
}

/** What to do when an append's outcome is known. */
export type Continuation =
  | { readonly kind: 'assignment'; readonly partition: number; readonly group: Group; readonly generationId: number; readonly assignment: ReadonlyMap<string, Buffer> }
  | {
      readonly kind: 'commit';
      readonly partition: number;
      readonly group: Group;
      readonly requestId: number;
      readonly errorCodes: number[];
      readonly applied: readonly AppliedOffset[];
    }
  | { readonly kind: 'delete'; readonly partition: number; readonly requestId: number; readonly results: GroupResult[] }
  /** Records nobody waits for (an empty group's metadata, expired offsets). */
  | { readonly kind: 'background'; readonly partition: number };

export class Outbox {
  #effects: CoreEffects = { replies: [], appends: [] };
  #nextAppendId = 1;
  readonly #waiting = new Map<number, Continuation>();

  /** Replies and appends produced since the last drain. */
  drain(): CoreEffects {
    const effects = this.#effects;
    this.#effects = { replies: [], appends: [] };
    return effects;
  }

  reply(reply: Reply): void {
    this.#effects.replies.push(reply);
  }

  replyJoin(requestId: number, result: JoinResult): void {
    this.reply({ kind: 'join', requestId, result });
  }

  joinFailed(requestId: number, errorCode: number, memberId: string): void {
    this.replyJoin(requestId, { errorCode, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] });
  }

  replySync(requestId: number, result: SyncResult): void {
    this.reply({ kind: 'sync', requestId, result });
  }

  append(partition: number, loadEpoch: number, records: readonly EncodedRecord[], continuation: Continuation): void {
    const appendId = this.#nextAppendId++;
    this.#waiting.set(appendId, continuation);
    this.#effects.appends.push({ appendId, partition, loadEpoch, records });
  }

  /** The continuation of an append whose outcome is now known; undefined if it was already settled. */
  take(appendId: number): Continuation | undefined {
    const continuation = this.#waiting.get(appendId);
    this.#waiting.delete(appendId);
    return continuation;
  }

  /** The continuations of every append still waiting on an offsets partition, in append order. */
  takeAllFor(partition: number): Continuation[] {
    const taken: Continuation[] = [];
    for (const [appendId, continuation] of this.#waiting) {
      if (continuation.partition !== partition) continue;
      this.#waiting.delete(appendId);
      taken.push(continuation);
    }
    return taken;
  }
}
