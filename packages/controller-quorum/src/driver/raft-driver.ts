import type { Logger } from 'pino';
import type { RaftCore } from '../raft/core.js';
import type { RaftMessage } from '../raft/messages.js';
import type { Entry, RaftEffects, RaftEvent, RaftSnapshot, SnapshotId } from '../raft/types.js';
import type { RaftStore } from './raft-store.js';

/** Where committed metadata goes: the driver feeds it in log order. */
export interface CommittedLogSink {
  loadSnapshot(snapshot: RaftSnapshot): void;
  apply(entries: readonly Entry[]): void;
}

export interface RaftTransport {
  send(message: RaftMessage): void;
}

export interface RaftDriverOptions {
  readonly core: RaftCore;
  readonly store: RaftStore;
  readonly transport: RaftTransport;
  readonly sink: CommittedLogSink;
  readonly tickMs: number;
  readonly logger: Logger;
  /** Called with every role, leader or epoch change, after it is persisted. */
  readonly onEvent?: (event: RaftEvent) => void;
  /** Called after each step with the core, for gauges. */
  readonly onStep?: (core: RaftCore) => void;
}

/** A proposal the leader accepted, waiting for its last entry to commit. */
interface PendingProposal {
  readonly lastOffset: number;
  readonly startedMs: number;
  readonly resolve: (committed: Committed) => void;
  readonly reject: (error: Error) => void;
}

type Committed = { lastOffset: number; commitMs: number };

type Input =
  | { kind: 'tick' }
  | { kind: 'message'; message: RaftMessage }
  | { kind: 'propose'; payloads: Buffer[]; resolve: (committed: Committed) => void; reject: (error: Error) => void }
  | { kind: 'snapshot'; id: SnapshotId; data: Buffer };

export class NotLeaderError extends Error {
  override readonly name = 'NotLeaderError';
  constructor(readonly leaderId: number | null, reason: string) {
    super(reason);
  }
}

/**
 * Drives the pure Raft core with real time, disk and network. Inputs queue up while a
 * step's writes are being synced; each round feeds them all to the core, drains its
 * effects once, persists them with fsync, and only then sends messages and applies
 * committed entries (the contract in RaftEffects). Batching inputs per round is what makes
 * one fsync cover many messages.
 */
export class RaftDriver {
  readonly #options: RaftDriverOptions;
  readonly #inbox: Input[] = [];
  readonly #pending: PendingProposal[] = [];
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #stopped = false;
  #appliedOffset = -1;

  constructor(options: RaftDriverOptions) {
    this.#options = options;
  }

  get core(): RaftCore {
    return this.#options.core;
  }

  /** Offset of the last entry handed to the sink. */
  get appliedOffset(): number {
    return this.#appliedOffset;
  }

  start(): void {
    this.#timer = setInterval(() => this.#enqueue({ kind: 'tick' }), this.#options.tickMs);
    this.#enqueue({ kind: 'tick' });
  }

  deliver(message: RaftMessage): void {
    this.#enqueue({ kind: 'message', message });
  }

  /**
   * Appends payloads if this node leads; resolves once they are committed and applied here.
   * Rejects with NotLeaderError when another node leads or leadership is lost meanwhile.
   */
  propose(payloads: Buffer[]): Promise<Committed> {
    if (this.#stopped) return Promise.reject(new NotLeaderError(null, 'the quorum driver is stopped'));
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'propose', payloads, resolve, reject }));
  }

  /** The state machine has snapshotted everything up to `id`; the log before it can go. */
  snapshotTaken(id: SnapshotId, data: Buffer): void {
    this.#enqueue({ kind: 'snapshot', id, data });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    while (this.#running) await new Promise((resolve) => setTimeout(resolve, 5));
    this.#failPending('the quorum driver stopped');
    for (const input of this.#inbox.splice(0)) {
      if (input.kind === 'propose') input.reject(new NotLeaderError(null, 'the quorum driver stopped'));
    }
  }

  #enqueue(input: Input): void {
    if (this.#stopped) return;
    this.#inbox.push(input);
    this.#kick();
  }

  #kick(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    setImmediate(() => {
      this.#runRounds().catch((error: unknown) => {
        this.#options.logger.fatal({ err: error }, 'quorum storage failed; stopping so the node cannot vote or ack from stale state');
        process.exit(70);
      });
    });
  }

  async #runRounds(): Promise<void> {
    for (;;) {
      const inputs = this.#inbox.splice(0);
      for (const input of inputs) this.#feed(input);
      const effects = this.#options.core.drain();
      if (nothingToDo(effects) && this.#inbox.length === 0) break;
      await this.#persist(effects);
      if (this.#stopped) break;
      for (const message of effects.messages) this.#options.transport.send(message);
      this.#apply(effects);
      for (const event of effects.events) this.#onEvent(event);
      this.#options.onStep?.(this.#options.core);
    }
    this.#running = false;
    if (this.#inbox.length > 0) this.#kick();
  }

  /** Hands one input to the core; proposals are accepted or refused on the spot. */
  #feed(input: Input): void {
    const core = this.#options.core;
    if (input.kind === 'tick') return core.tick();
    if (input.kind === 'message') return core.receive(input.message);
    if (input.kind === 'snapshot') {
      const refused = core.snapshotTaken(input.id, input.data);
      if (refused !== null) this.#options.logger.warn({ snapshot: input.id, reason: refused }, 'metadata snapshot not taken');
      return;
    }
    const result = core.propose(input.payloads);
    if (!result.ok) {
      input.reject(new NotLeaderError(result.leaderId, `proposal refused: ${result.error}`));
      return;
    }
    const { resolve, reject } = input;
    this.#pending.push({ lastOffset: result.lastOffset, startedMs: performance.now(), resolve, reject });
  }

  async #persist(effects: RaftEffects): Promise<void> {
    const hasWrite =
      effects.hardState !== null || effects.snapshotToPersist !== null || effects.truncateFrom !== null || effects.entriesToPersist.length > 0;
    if (!hasWrite) return;
    await this.#options.store.write({
      hardState: effects.hardState,
      snapshot: effects.snapshotToPersist,
      truncateFrom: effects.truncateFrom,
      entries: effects.entriesToPersist,
    });
  }

  #apply(effects: RaftEffects): void {
    if (effects.snapshotToApply !== null) {
      this.#options.sink.loadSnapshot(effects.snapshotToApply);
      this.#appliedOffset = effects.snapshotToApply.lastOffset;
    }
    if (effects.committed.length > 0) {
      this.#options.sink.apply(effects.committed);
      this.#appliedOffset = effects.committed[effects.committed.length - 1]!.offset;
    }
    const now = performance.now();
    while (this.#pending.length > 0 && this.#pending[0]!.lastOffset <= this.#appliedOffset) {
      const done = this.#pending.shift()!;
      done.resolve({ lastOffset: done.lastOffset, commitMs: now - done.startedMs });
    }
  }

  #onEvent(event: RaftEvent): void {
    this.#options.onEvent?.(event);
    if (event.kind === 'role' && event.role !== 'leader') {
      this.#failPending(`leadership lost: ${event.reason}`, event.leaderId);
    }
  }

  #failPending(reason: string, leaderId: number | null = null): void {
    for (const pending of this.#pending.splice(0)) pending.reject(new NotLeaderError(leaderId, reason));
  }
}

function nothingToDo(effects: RaftEffects): boolean {
  return (
    effects.hardState === null &&
    effects.snapshotToPersist === null &&
    effects.truncateFrom === null &&
    effects.entriesToPersist.length === 0 &&
    effects.messages.length === 0 &&
    effects.snapshotToApply === null &&
    effects.committed.length === 0 &&
    effects.events.length === 0
  );
}
