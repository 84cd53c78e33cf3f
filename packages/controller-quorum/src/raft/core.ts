/**
 * RaftCore: the controller quorum's Raft (KIP-595 shape, with KIP-996 pre-vote and
 * check-quorum) as a pure state machine. Inputs are ticks, messages, proposals and
 * snapshots; outputs are drained as RaftEffects. No I/O, no clock, no randomness but the
 * injected one: the same inputs always give the same effects (DESIGN §4).
 */
import { assert } from '@rill/base';
import {
  fetchBytesMax,
  fetchEntriesMax,
  nodeIdMax,
  payloadBytesMax,
  proposalBatchMax,
  snapshotChunkBytesMax,
  timeoutTicksMax,
  uncommittedEntriesMax,
  votersMax,
} from './limits.js';
import {
  handleBeginQuorumEpoch,
  handleEndQuorumEpoch,
  handleQuorumEpochResponse,
  handleVoteRequest,
  handleVoteResponse,
  tickElection,
} from './election.js';
import { RaftLog } from './log.js';
import type { RaftMessage } from './messages.js';
import { handleFetchResponse, pollFetcher } from './replication-follower.js';
import { completeHeldFetches } from './fetch-purgatory.js';
import {
  advanceHighWatermark,
  handleFetchRequest,
  hasQuorumContact,
  resendBeginQuorumEpoch,
} from './replication-leader.js';
import {
  handleFetchSnapshotRequest,
  handleFetchSnapshotResponse,
  takeSnapshot,
} from './snapshot.js';
import { EffectsBuffer } from './effects.js';
import { electionDeadline, emit, newFetcher, otherVoters, send } from './state.js';
import type { NodeState, ReplicaProgress } from './state.js';
import { becomeUnattached } from './transitions.js';
import type {
  Entry,
  FollowerState,
  ReplicaState,
  ProposeResult,
  RaftEffects,
  RaftOptions,
  RaftRole,
  SnapshotId,
  StoredRaftState,
} from './types.js';
import { validateMessage } from './validation.js';

export class RaftCore {
  readonly #state: NodeState;

  private constructor(state: NodeState) {
    this.#state = state;
  }

  /**
   * Start (or restart) from what was persisted. The high watermark is unknown until a leader
   * tells us: it starts at the log start (a snapshot is committed).
   */
  static create(options: RaftOptions, stored: StoredRaftState): RaftCore {
    checkOptions(options);
    const log = new RaftLog(stored.snapshot, stored.entries);
    const hardState = stored.hardState ?? { epoch: 0, votedFor: null };
    assert(Number.isSafeInteger(hardState.epoch) && hardState.epoch >= 0, 'stored epoch is valid');
    assert(
      hardState.votedFor === null || options.voters.includes(hardState.votedFor),
      'stored vote is for a voter',
    );
    const state: NodeState = {
      options,
      voters: new Set(options.voters),
      isVoter: options.voters.includes(options.nodeId),
      log,
      effects: new EffectsBuffer(),
      now: 0,
      epoch: hardState.epoch,
      votedFor: hardState.votedFor,
      leaderId: null,
      role: { kind: 'unattached', electionDeadline: 0, fetcher: newFetcher(0) },
      highWatermark: log.startOffset,
      appliedOffset: 0,
      nextCorrelationId: 0,
    };
    // A restarted voter waits a full election timer first: the leader may well still be
    // there. The only voter of a quorum of one has nobody to wait for, so it starts at once.
    const alone = state.isVoter && state.voters.size === 1;
    state.role = {
      kind: 'unattached',
      electionDeadline: alone ? 0 : electionDeadline(state),
      fetcher: newFetcher(0),
    };
    emit(
      state,
      'role',
      `started at epoch ${state.epoch} with log [${log.startOffset}, ${log.endOffset})`,
    );
    return new RaftCore(state);
  }

  get nodeId(): number {
    return this.#state.options.nodeId;
  }
  get isVoter(): boolean {
    return this.#state.isVoter;
  }
  get role(): RaftRole {
    return this.#state.role.kind;
  }
  get epoch(): number {
    return this.#state.epoch;
  }
  get votedFor(): number | null {
    return this.#state.votedFor;
  }
  get leaderId(): number | null {
    return this.#state.leaderId;
  }
  /** Ticks since a follower last fetched from its leader successfully; null in other roles. */
  get ticksSinceLeaderContact(): number | null {
    const role = this.#state.role;
    return role.kind === 'follower' ? this.#state.now - role.lastFetchSuccessTick : null;
  }
  /** Exclusive: every offset below it is committed. */
  get highWatermark(): number {
    return this.#state.highWatermark;
  }
  get logStartOffset(): number {
    return this.#state.log.startOffset;
  }
  get logEndOffset(): number {
    return this.#state.log.endOffset;
  }
  get lastEpoch(): number {
    return this.#state.log.lastEpoch;
  }
  /** Ticks since this core was created. */
  get now(): number {
    return this.#state.now;
  }

  entryAt(offset: number): Entry | undefined {
    return this.#state.log.entryAt(offset);
  }

  epochAt(offset: number): number | null {
    return this.#state.log.epochAt(offset);
  }

  /** The leader's view of each other voter; empty on any other role. */
  followerStates(): FollowerState[] {
    const role = this.#state.role;
    if (role.kind !== 'leader') return [];
    return [...role.progress].map(([nodeId, p]) => ({
      nodeId,
      logEndOffset: p.endOffset,
      lastFetchTick: p.lastFetchTick,
    }));
  }

  /**
   * On the leader, what it knows of the other voters (in node id order) and of the
   * observers that fetched in this epoch (at most observersTrackedMax); null on any other
   * role — only the leader can say (DescribeQuorum answers NOT_LEADER_OR_FOLLOWER there).
   */
  replicaStates(): { voters: ReplicaState[]; observers: ReplicaState[] } | null {
    const role = this.#state.role;
    if (role.kind !== 'leader') return null;
    const view = ([nodeId, p]: [number, ReplicaProgress]): ReplicaState => ({
      nodeId,
      logEndOffset: p.endOffset,
      lastFetchTick: p.fetchedTick,
      lastCaughtUpTick: p.caughtUpTick,
    });
    const byId = (a: ReplicaState, b: ReplicaState) => a.nodeId - b.nodeId;
    return {
      voters: [...role.progress].map(view).sort(byId),
      observers: [...role.observers].map(view).sort(byId),
    };
  }

  tick(): void {
    const state = this.#state;
    state.now++;
    if (state.role.kind === 'leader') {
      if (!hasQuorumContact(state)) {
        const timeout = state.options.fetchTimeoutTicks;
        becomeUnattached(
          state,
          state.epoch,
          `check-quorum: no fetch from a majority of voters in ${timeout} ticks`,
        );
      } else {
        resendBeginQuorumEpoch(state);
      }
    }
    completeHeldFetches(state);
    tickElection(state);
    pollFetcher(state);
  }

  /** Take one message. Malformed, misaddressed or stale input is dropped, never thrown. */
  receive(message: RaftMessage): void {
    const state = this.#state;
    const problem = validateMessage(message);
    if (problem !== null) return emit(state, 'dropped', problem);
    if (message.to !== state.options.nodeId || message.from === state.options.nodeId) {
      return emit(state, 'dropped', `${message.kind} from ${message.from} to ${message.to}`);
    }
    dispatch(state, message);
    completeHeldFetches(state);
    pollFetcher(state);
  }

  /** Append payloads if we lead. The offsets are final once the high watermark passes them. */
  propose(payloads: readonly Buffer[]): ProposeResult {
    const state = this.#state;
    const refuse = (
      error: 'NOT_LEADER' | 'TOO_MANY_UNCOMMITTED' | 'INVALID_PROPOSAL',
    ): ProposeResult => ({ ok: false, error, leaderId: state.leaderId, epoch: state.epoch });
    if (state.role.kind !== 'leader') return refuse('NOT_LEADER');
    const valid =
      Array.isArray(payloads) && payloads.length > 0 && payloads.length <= proposalBatchMax;
    if (
      !valid ||
      !payloads.every((p) => Buffer.isBuffer(p) && p.length > 0 && p.length <= payloadBytesMax)
    )
      return refuse('INVALID_PROPOSAL');
    if (state.log.endOffset - state.highWatermark + payloads.length > uncommittedEntriesMax)
      return refuse('TOO_MANY_UNCOMMITTED');
    const entries = payloads.map((payload, i) => ({
      offset: state.log.endOffset + i,
      epoch: state.epoch,
      payload,
    }));
    state.log.append(entries);
    state.effects.persistEntries(entries);
    advanceHighWatermark(state);
    completeHeldFetches(state);
    return { ok: true, lastOffset: state.log.endOffset - 1 };
  }

  /** The state machine snapshotted everything up to `id`. Returns why it was not taken, or null. */
  snapshotTaken(id: SnapshotId, data: Buffer): string | null {
    return takeSnapshot(this.#state, id, data);
  }

  /** Step down gracefully, naming the most caught-up voters as successors (EndQuorumEpoch). */
  resign(): boolean {
    const state = this.#state;
    if (state.role.kind !== 'leader') return false;
    const successors = [...state.role.progress]
      .sort((a, b) => b[1].endOffset - a[1].endOffset)
      .map(([id]) => id);
    becomeUnattached(state, state.epoch, 'resigned');
    for (const to of otherVoters(state)) {
      send(state, {
        kind: 'EndQuorumEpochRequest',
        from: state.options.nodeId,
        to,
        epoch: state.epoch,
        leaderId: state.options.nodeId,
        preferredSuccessors: successors,
      });
    }
    return true;
  }

  /** Everything the steps since the last drain ask of the driver; see RaftEffects for the order. */
  drain(): RaftEffects {
    const state = this.#state;
    const log = state.log;
    assert(
      log.startOffset <= state.highWatermark && state.highWatermark <= log.endOffset,
      'log start <= high watermark <= log end',
    );
    let snapshotToApply = null;
    if (state.appliedOffset < log.startOffset) {
      snapshotToApply = log.snapshot;
      state.appliedOffset = log.startOffset;
    }
    const pending = state.highWatermark - state.appliedOffset;
    const committed =
      pending > 0 ? log.read(state.appliedOffset, pending, Number.MAX_SAFE_INTEGER) : [];
    state.appliedOffset = state.highWatermark;
    if (snapshotToApply !== null) state.effects.applySnapshot(snapshotToApply);
    return state.effects.drain({ epoch: state.epoch, votedFor: state.votedFor }, committed);
  }
}

function dispatch(state: NodeState, message: RaftMessage): void {
  switch (message.kind) {
    case 'VoteRequest':
      return handleVoteRequest(state, message);
    case 'VoteResponse':
      return handleVoteResponse(state, message);
    case 'BeginQuorumEpochRequest':
      return handleBeginQuorumEpoch(state, message);
    case 'EndQuorumEpochRequest':
      return handleEndQuorumEpoch(state, message);
    case 'BeginQuorumEpochResponse':
    case 'EndQuorumEpochResponse':
      return handleQuorumEpochResponse(state, message);
    case 'FetchRequest':
      return handleFetchRequest(state, message);
    case 'FetchResponse':
      return handleFetchResponse(state, message);
    case 'FetchSnapshotRequest':
      return handleFetchSnapshotRequest(state, message);
    case 'FetchSnapshotResponse':
      return handleFetchSnapshotResponse(state, message);
  }
}

/** Options come from our own driver, which validates config with clear messages first. */
function checkOptions(options: RaftOptions): void {
  const isId = (n: number): boolean => Number.isSafeInteger(n) && n >= 0 && n <= nodeIdMax;
  const inRange = (n: number, max: number): boolean =>
    Number.isSafeInteger(n) && n >= 1 && n <= max;
  assert(isId(options.nodeId), 'nodeId is an int32 >= 0');
  assert(
    options.voters.length >= 1 && options.voters.length <= votersMax,
    `1 to ${votersMax} voters`,
  );
  assert(
    options.voters.every(isId) && new Set(options.voters).size === options.voters.length,
    'voters are distinct node ids',
  );
  for (const name of [
    'electionTimeoutTicks',
    'fetchTimeoutTicks',
    'electionBackoffMaxTicks',
    'requestTimeoutTicks',
    'fetchBackoffTicks',
    'fetchMaxWaitTicks',
  ] as const) {
    assert(inRange(options[name], timeoutTicksMax), `${name} in [1, ${timeoutTicksMax}]`);
  }
  assert(
    inRange(options.maxFetchEntries, fetchEntriesMax),
    `maxFetchEntries in [1, ${fetchEntriesMax}]`,
  );
  assert(inRange(options.maxFetchBytes, fetchBytesMax), `maxFetchBytes in [1, ${fetchBytesMax}]`);
  assert(
    inRange(options.snapshotChunkBytes, snapshotChunkBytesMax),
    `snapshotChunkBytes in [1, ${snapshotChunkBytesMax}]`,
  );
}
