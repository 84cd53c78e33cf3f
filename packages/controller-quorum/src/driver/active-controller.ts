import type { ControllerResult } from '../controller/result.js';
import type { MetadataImage } from '../metadata/image.js';
import { encodeEntryPayload } from '../metadata/record-codec.js';
import type { CommittedMetadata } from './committed-metadata.js';
import type { QuorumNode } from './quorum-node.js';
import { NotLeaderError } from './raft-driver.js';

/** A controller operation: what to append, and what to answer once it is committed. */
export type ControllerOperation<R> = (image: MetadataImage) => ControllerResult<R>;

export interface CommittedResult<R> {
  readonly response: R;
  /** The metadata offset that includes the change (the image offset when nothing changed). */
  readonly committedOffset: number;
}

/** How long an operation waits for a freshly elected leader to catch up before giving up. */
const leaderCatchUpMs = 5000;

/**
 * Runs controller operations on the quorum leader, one at a time: each sees the image with
 * every earlier operation's records applied, appends its records as one log entry (so they
 * apply atomically), and answers only after they are committed (Kafka's ControllerResult).
 */
export class ActiveController {
  readonly #node: QuorumNode;
  readonly #metadata: CommittedMetadata;
  readonly #onCommit: (commitMs: number) => void;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(node: QuorumNode, metadata: CommittedMetadata, onCommit: (commitMs: number) => void = () => undefined) {
    this.#node = node;
    this.#metadata = metadata;
    this.#onCommit = onCommit;
  }

  run<R>(operation: ControllerOperation<R>): Promise<CommittedResult<R>> {
    const result = this.#queue.then(() => this.#runNow(operation));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #runNow<R>(operation: ControllerOperation<R>): Promise<CommittedResult<R>> {
    await this.#awaitCaughtUpLeader();
    const { records, response } = operation(this.#metadata.image);
    if (records.length === 0) return { response, committedOffset: this.#metadata.image.provenance.offset };
    const { lastOffset, commitMs } = await this.#node.propose([encodeEntryPayload(records)]);
    this.#onCommit(commitMs);
    await this.#metadata.waitForOffset(lastOffset);
    return { response, committedOffset: lastOffset };
  }

  /**
   * A new leader's image may lag what was committed before it: it may only decide once it
   * has applied an entry of its own epoch, which comes after everything earlier (Raft §5.4.2).
   */
  async #awaitCaughtUpLeader(): Promise<void> {
    const deadline = Date.now() + leaderCatchUpMs;
    for (;;) {
      const core = this.#node.core;
      if (core.role !== 'leader') throw new NotLeaderError(core.leaderId, 'this node is not the active controller');
      if (this.#metadata.image.provenance.epoch === core.epoch) return;
      if (Date.now() > deadline) throw new NotLeaderError(null, 'the new controller is still catching up');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
