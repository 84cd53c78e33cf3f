/**
 * Drives a GroupCoordinatorCore by hand for tests: a fake clock, replies collected by
 * request id, and appends acknowledged at once (or held, to settle them later). The log of
 * acknowledged records can be replayed into a fresh core, as a new coordinator would.
 */
import { SeededRandom } from '@rill/base';
import { ErrorCode, Writer } from '@rill/protocol';
import { GroupCoordinatorCore } from '../coordinator-core.js';
import type {
  AppendRequest,
  CoreOptions,
  JoinRequest,
  JoinResult,
  Now,
  OffsetToCommit,
  Reply,
  SyncResult,
} from '../core-types.js';
import { decodeGroupRecord, type EncodedRecord } from '../group-records.js';
import type { Protocol } from '../group.js';

export const partition = 7;
export const sessionTimeoutMs = 10_000;
export const rebalanceTimeoutMs = 30_000;
export const initialDelayMs = 3_000;

export function coreOptions(overrides: Partial<CoreOptions> = {}): CoreOptions {
  return {
    random: new SeededRandom(1),
    initialRebalanceDelayMs: initialDelayMs,
    minSessionTimeoutMs: 6_000,
    maxSessionTimeoutMs: 300_000,
    groupMaxSize: 1_000,
    newMemberJoinTimeoutMs: 300_000,
    offsetRetentionMs: 7 * 24 * 3_600_000,
    offsetMetadataMaxBytes: 4096,
    recordBytesMax: 1024 * 1024,
    groupsMax: 1_000,
    membersMax: 1_000,
    protocolsPerMemberMax: 8,
    memberProtocolBytesMax: 64 * 1024,
    heldBytesMax: 16 * 1024 * 1024,
    ...overrides,
  };
}

/** A ConsumerProtocolSubscription v0 for these topics. */
export function subscription(...topics: string[]): Buffer {
  const w = new Writer();
  w.int16(0);
  w.int32(topics.length);
  for (const topic of topics) w.string(topic);
  w.nullableBytes(null);
  return w.finish();
}

export function protocols(...names: string[]): Protocol[] {
  return names.map((name) => ({ name, metadata: subscription('t') }));
}

export class CoreHarness {
  readonly core: GroupCoordinatorCore;
  /** Trace lines, replies and appends, in order: the stuff of golden transcripts. */
  readonly trace: string[] = [];
  /** Acknowledged records, in log order. */
  readonly log: EncodedRecord[] = [];
  /** Appends held back while autoAck is off. */
  readonly inflight: AppendRequest[] = [];
  autoAck = true;
  now: Now = { nowMs: 0, wallMs: 1_700_000_000_000 };
  readonly #replies = new Map<number, Reply>();
  #nextId = 1;

  constructor(overrides: Partial<CoreOptions> = {}, options: { load?: boolean } = {}) {
    this.core = new GroupCoordinatorCore(coreOptions({ ...overrides, trace: (line) => this.trace.push(line) }));
    if (options.load !== false) {
      this.core.beginLoad(partition, 1);
      this.core.completeLoad(partition, 1, this.now);
    }
  }

  /** Runs one request step with a fresh request id and collects what it produced. */
  step(run: (requestId: number, at: Now) => void): number {
    const requestId = this.#nextId++;
    run(requestId, this.now);
    this.flush();
    return requestId;
  }

  flush(): void {
    this.core.checkAccounting();
    for (let effects = this.core.drain(); effects.replies.length + effects.appends.length > 0; effects = this.core.drain()) {
      for (const reply of effects.replies) {
        if (this.#replies.has(reply.requestId)) throw new Error(`request ${reply.requestId} answered twice`);
        this.#replies.set(reply.requestId, reply);
        this.trace.push(describeReply(reply));
      }
      for (const append of effects.appends) {
        this.trace.push(`append ${append.records.length} record(s) to partition ${append.partition}`);
        if (this.autoAck) {
          this.log.push(...append.records);
          this.core.appended(append.appendId, ErrorCode.NONE, this.now);
        } else {
          this.inflight.push(append);
        }
      }
    }
    this.core.checkAccounting();
  }

  /** Settles every held append with `errorCode` (records are logged if it is NONE). */
  settle(errorCode: number = ErrorCode.NONE): void {
    for (const append of this.inflight.splice(0)) {
      if (errorCode === ErrorCode.NONE) this.log.push(...append.records);
      this.core.appended(append.appendId, errorCode, this.now);
    }
    this.flush();
  }

  advance(ms: number): void {
    this.now = { nowMs: this.now.nowMs + ms, wallMs: this.now.wallMs + ms };
    this.core.tick(this.now);
    this.flush();
  }

  reply(requestId: number): Reply | undefined {
    return this.#replies.get(requestId);
  }

  answered(requestId: number): boolean {
    return this.#replies.has(requestId);
  }

  join(groupId: string, memberId: string, options: Partial<JoinRequest> = {}): number {
    return this.step((requestId, at) =>
      this.core.join(
        {
          requestId,
          partition,
          groupId,
          memberId,
          clientId: 'client',
          clientHost: '/127.0.0.1',
          sessionTimeoutMs,
          rebalanceTimeoutMs,
          protocolType: 'consumer',
          protocols: protocols('range'),
          requireKnownMemberId: false,
          ...options,
        },
        at,
      ),
    );
  }

  joinResult(requestId: number): JoinResult | undefined {
    const reply = this.#replies.get(requestId);
    if (reply === undefined) return undefined;
    if (reply.kind !== 'join') throw new Error(`request ${requestId} got a ${reply.kind} reply`);
    return reply.result;
  }

  sync(groupId: string, memberId: string, generationId: number, assignments: { memberId: string; assignment: Buffer }[] = []): number {
    return this.step((requestId, at) => this.core.sync({ requestId, partition, groupId, memberId, generationId, assignments }, at));
  }

  syncResult(requestId: number): SyncResult | undefined {
    const reply = this.#replies.get(requestId);
    if (reply === undefined) return undefined;
    if (reply.kind !== 'sync') throw new Error(`request ${requestId} got a ${reply.kind} reply`);
    return reply.result;
  }

  heartbeat(groupId: string, memberId: string, generationId: number): number | undefined {
    const id = this.step((requestId, at) => this.core.heartbeat({ requestId, partition, groupId, memberId, generationId }, at));
    return this.#errorOf(id);
  }

  leave(groupId: string, memberId: string): number | undefined {
    const id = this.step((requestId, at) => this.core.leave({ requestId, partition, groupId, memberId }, at));
    return this.#errorOf(id);
  }

  commit(groupId: string, memberId: string, generationId: number, offsets: OffsetToCommit[], retentionTimeMs = -1): number {
    return this.step((requestId, at) =>
      this.core.commitOffsets({ requestId, partition, groupId, memberId, generationId, retentionTimeMs, offsets }, at),
    );
  }

  commitResult(requestId: number): readonly number[] | undefined {
    const reply = this.#replies.get(requestId);
    return reply?.kind === 'commit' ? reply.errorCodes : undefined;
  }

  offsets(groupId: string): Record<string, number> {
    const fetched = this.core.fetchOffsets(partition, groupId, null);
    const out: Record<string, number> = {};
    for (const { topic, partitions } of fetched.topics) for (const p of partitions) out[`${topic}-${p.partition}`] = p.offset;
    return out;
  }

  state(groupId: string): string {
    return this.core.describeGroup(partition, groupId).state;
  }

  /**
   * Forms a Stable group: members join (one JoinGroup each, together), the initial delay
   * passes, the leader syncs `assignments` and the followers sync. Returns the member ids
   * in join order and the generation.
   */
  formGroup(groupId: string, count: number, options: Partial<JoinRequest> = {}): { members: string[]; generationId: number; leader: string } {
    const requests = Array.from({ length: count }, () => this.join(groupId, '', options));
    this.untilAnswered(requests);
    return this.completeRebalance(groupId, requests);
  }

  /** Lets the initial delay run out: each member that arrived during it extends it once more. */
  untilAnswered(requests: readonly number[]): void {
    for (let waited = 0; !requests.every((id) => this.answered(id)) && waited < rebalanceTimeoutMs; waited += initialDelayMs) {
      this.advance(initialDelayMs);
    }
  }

  /** Answers of the given joins, then everyone syncs (the leader assigns each its own id). */
  completeRebalance(groupId: string, joinRequests: number[]): { members: string[]; generationId: number; leader: string } {
    const results = joinRequests.map((id) => this.joinResult(id));
    if (results.some((r) => r === undefined || r.errorCode !== ErrorCode.NONE)) {
      throw new Error(`joins not all answered: ${JSON.stringify(results.map((r) => r?.errorCode))}`);
    }
    const members = results.map((r) => r!.memberId);
    const { generationId, leaderId } = results[0]!;
    const assignments = members.map((memberId) => ({ memberId, assignment: Buffer.from(`assigned:${memberId}`) }));
    for (const memberId of members) {
      this.sync(groupId, memberId, generationId, memberId === leaderId ? assignments : []);
    }
    return { members, generationId, leader: leaderId };
  }

  #errorOf(requestId: number): number | undefined {
    const reply = this.#replies.get(requestId);
    return reply !== undefined && 'errorCode' in reply ? reply.errorCode : undefined;
  }
}

/** Replays `log` into a fresh core (a new coordinator loading the partition). */
export function reload(log: readonly EncodedRecord[], at: Now, overrides: Partial<CoreOptions> = {}): CoreHarness {
  const next = new CoreHarness(overrides, { load: false });
  next.now = at;
  next.core.beginLoad(partition, 2);
  for (const { key, value } of log) {
    const record = decodeGroupRecord(key, value);
    if (record !== null) next.core.replay(partition, 2, record);
  }
  next.core.completeLoad(partition, 2, at);
  next.flush();
  return next;
}

const errorNames = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

function describeReply(reply: Reply): string {
  const name = (code: number): string => errorNames.get(code) ?? String(code);
  switch (reply.kind) {
    case 'join': {
      const r = reply.result;
      const members = r.members.length > 0 ? ` members=[${r.members.map((m) => m.memberId).join(',')}]` : '';
      return `reply join #${reply.requestId}: ${name(r.errorCode)} member=${r.memberId} generation=${r.generationId} protocol=${r.protocolName} leader=${r.leaderId}${members}`;
    }
    case 'sync':
      return `reply sync #${reply.requestId}: ${name(reply.result.errorCode)} assignment=${JSON.stringify(reply.result.assignment.toString())}`;
    case 'heartbeat':
    case 'leave':
      return `reply ${reply.kind} #${reply.requestId}: ${name(reply.errorCode)}`;
    case 'commit':
      return `reply commit #${reply.requestId}: ${reply.errorCodes.map(name).join(',')}`;
    case 'delete':
      return `reply delete #${reply.requestId}: ${reply.results.map((r) => `${r.groupId}=${name(r.errorCode)}`).join(',')}`;
  }
}
