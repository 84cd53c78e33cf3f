/**
 * The group coordinator as a pure state machine (DESIGN §4, §7): requests, timer ticks,
 * append outcomes and loads of `__consumer_offsets` go in; replies and records to append
 * come out (drain()). No I/O, no clock, no randomness of its own: time arrives as `Now`
 * arguments, member ids come from the injected Random. Behaviour follows Kafka's classic
 * group coordinator; group-state.ts has the table of what each state answers.
 *
 * Durability: a group's assignment, its committed offsets and its deletion take effect
 * only once the driver reports their records appended with acks=all; whatever changes
 * before that (members joining, leaving, expiring) is soft state Kafka does not persist
 * either, rebuilt from heartbeats after a coordinator moves.
 *
 * This class is the core's one entry point; each kind of request is handled in its own
 * file under core/, over the state they share (core/core-state.ts).
 */
import { assert } from '@rill/base';
import type {
  CommitRequest,
  CoreEffects,
  CoreOptions,
  DeleteRequest,
  FetchedOffsets,
  GroupDescription,
  GroupListing,
  HeartbeatRequest,
  JoinRequest,
  LeaveRequest,
  Now,
  SyncRequest,
} from './core-types.js';
import type { GroupRecord } from './group-records.js';
import { appended } from './core/append-outcomes.js';
import { CoordinatorState } from './core/core-state.js';
import { deleteGroups } from './core/delete-groups.js';
import { describeGroup, listGroups, snapshot, type GroupSnapshot } from './core/group-queries.js';
import { heartbeat, leave } from './core/heartbeat-leave.js';
import { join } from './core/join-group.js';
import { commitOffsets } from './core/offset-commit.js';
import { expireOffsets } from './core/offset-expiry.js';
import { fetchOffsets } from './core/offset-fetch.js';
import { beginLoad, completeLoad, replay, unload } from './core/partition-loading.js';
import { sync } from './core/sync-group.js';
import { fireDueTimers } from './core/timer-expiry.js';

export type { GroupSnapshot } from './core/group-queries.js';

export class GroupCoordinatorCore {
  readonly #state: CoordinatorState;

  constructor(options: CoreOptions) {
    assert(options.initialRebalanceDelayMs >= 0, 'initial rebalance delay is not negative');
    assert(options.minSessionTimeoutMs <= options.maxSessionTimeoutMs, 'session timeout bounds are ordered');
    this.#state = new CoordinatorState(options);
  }

  /** Replies and appends produced since the last drain. */
  drain(): CoreEffects {
    return this.#state.outbox.drain();
  }

  nextDeadlineMs(): number {
    return this.#state.timers.nextDeadlineMs();
  }

  get memberCount(): number {
    return this.#state.memberCount;
  }

  get heldBytes(): number {
    return this.#state.heldBytes;
  }

  get groupCount(): number {
    return this.#state.groups.size;
  }

  /** Rebalances that ended with the group Stable in a new generation. */
  get rebalancesCompleted(): number {
    return this.#state.rebalancesCompleted;
  }

  /** Recounts members and held bytes from the groups; for tests, which call it after every step. */
  checkAccounting(): void {
    this.#state.checkAccounting();
  }

  /** Status of an offsets partition here: coordinated, being loaded, or not ours. */
  shardStatus(partition: number): 'active' | 'loading' | 'none' {
    return this.#state.shards.get(partition)?.status ?? 'none';
  }

  shardEpoch(partition: number): number | null {
    return this.#state.shards.get(partition)?.epoch ?? null;
  }

  join(request: JoinRequest, at: Now): void {
    join(this.#state, request, at);
  }

  sync(request: SyncRequest, at: Now): void {
    sync(this.#state, request, at);
  }

  heartbeat(request: HeartbeatRequest, at: Now): void {
    heartbeat(this.#state, request, at);
  }

  leave(request: LeaveRequest, at: Now): void {
    leave(this.#state, request, at);
  }

  /** Fires every timer due at `at.nowMs`. */
  tick(at: Now): void {
    fireDueTimers(this.#state, at);
  }

  commitOffsets(request: CommitRequest, at: Now): void {
    commitOffsets(this.#state, request, at);
  }

  /** Committed offsets; `topics` null asks for all of them (OffsetFetch v2+). */
  fetchOffsets(partition: number, groupId: string, topics: readonly { topic: string; partitions: readonly number[] }[] | null): FetchedOffsets {
    return fetchOffsets(this.#state, partition, groupId, topics);
  }

  describeGroup(partition: number, groupId: string): GroupDescription {
    return describeGroup(this.#state, partition, groupId);
  }

  listGroups(): GroupListing {
    return listGroups(this.#state);
  }

  /** Deletes Empty groups of one offsets partition: tombstones for the group and its offsets. */
  deleteGroups(request: DeleteRequest, at: Now): void {
    deleteGroups(this.#state, request, at);
  }

  /** Offset retention: expired offsets are tombstoned, Empty groups left without offsets deleted. */
  expireOffsets(at: Now): void {
    expireOffsets(this.#state, at);
  }

  /** This node now leads offsets partition `partition` at `epoch`; its groups load until completeLoad. */
  beginLoad(partition: number, epoch: number): void {
    beginLoad(this.#state, partition, epoch);
  }

  /** One record read from the partition, in log order. */
  replay(partition: number, epoch: number, record: GroupRecord): void {
    replay(this.#state, partition, epoch, record);
  }

  /** The whole partition was replayed: its groups come alive, members on a fresh session. */
  completeLoad(partition: number, epoch: number, at: Now): void {
    completeLoad(this.#state, partition, epoch, at);
  }

  /** This node no longer leads the partition: its groups go, and what waits on them is answered NOT_COORDINATOR. */
  unload(partition: number): void {
    unload(this.#state, partition);
  }

  /** The outcome of an append: NONE once acks=all holds, else the partition's error. */
  appended(appendId: number, errorCode: number, at: Now): void {
    appended(this.#state, appendId, errorCode, at);
  }

  /** Each group's size and committed offsets, for the metrics. */
  snapshot(): GroupSnapshot[] {
    return snapshot(this.#state);
  }
}
