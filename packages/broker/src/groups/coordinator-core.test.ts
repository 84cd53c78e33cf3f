/**
 * The group coordinator core, cell by cell of the state table in group-state.ts, then the
 * timers (session, rebalance, sync, initial delay), persistence (replay into a new core,
 * unloading) and offset retention. Behaviour is Kafka's classic group coordinator.
 */
import { ErrorCode } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import { decodeGroupRecord } from './group-records.js';
import {
  CoreHarness,
  initialDelayMs,
  partition,
  protocols,
  rebalanceTimeoutMs,
  reload,
  sessionTimeoutMs,
  subscription,
} from './testing/core-harness.js';

const g = 'group';

describe('requests before the group table', () => {
  it('refuses an empty group id for membership requests, but not for offsets', () => {
    const h = new CoreHarness();
    expect(h.joinResult(h.join('', ''))?.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(h.syncResult(h.sync('', 'm', 1))?.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(h.heartbeat('', 'm', 1)).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(h.leave('', 'm')).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(h.commitResult(h.commit('', '', -1, [{ topic: 't', partition: 0, offset: 5, metadata: null }]))).toEqual([ErrorCode.NONE]);
    expect(h.offsets('')).toEqual({ 't-0': 5 });
  });

  it('answers NOT_COORDINATOR for a partition it does not lead, and COORDINATOR_LOAD_IN_PROGRESS while loading', () => {
    const h = new CoreHarness({}, { load: false });
    expect(h.joinResult(h.join(g, ''))?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(h.core.fetchOffsets(partition, g, null).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    h.core.beginLoad(partition, 1);
    expect(h.joinResult(h.join(g, ''))?.errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(h.syncResult(h.sync(g, 'm', 1))?.errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(h.commitResult(h.commit(g, '', -1, [{ topic: 't', partition: 0, offset: 1, metadata: null }]))).toEqual([
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    ]);
    expect(h.core.fetchOffsets(partition, g, null).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(h.core.describeGroup(partition, g).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(h.core.listGroups().errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    // Kafka answers heartbeats blindly while loading.
    expect(h.heartbeat(g, 'm', 1)).toBe(ErrorCode.NONE);
    h.core.completeLoad(partition, 1, h.now);
    expect(h.heartbeat(g, 'm', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('checks the session timeout against group.min/max.session.timeout.ms', () => {
    const h = new CoreHarness();
    expect(h.joinResult(h.join(g, '', { sessionTimeoutMs: 5_999 }))?.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(h.joinResult(h.join(g, '', { sessionTimeoutMs: 300_001 }))?.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(h.core.listGroups().groups).toEqual([]);
  });

  it('refuses a known member id for a group that does not exist', () => {
    const h = new CoreHarness();
    expect(h.joinResult(h.join(g, 'ghost'))?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.syncResult(h.sync(g, 'ghost', 1))?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.heartbeat(g, 'ghost', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.leave(g, 'ghost')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('bounds protocols per member, groups and members (INVALID_REQUEST, COORDINATOR_NOT_AVAILABLE, GROUP_MAX_SIZE_REACHED)', () => {
    const h = new CoreHarness({ groupsMax: 2, membersMax: 3 });
    const many = Array.from({ length: 9 }, (_, i) => ({ name: `p${i}`, metadata: Buffer.alloc(1) }));
    expect(h.joinResult(h.join(g, '', { protocols: many }))?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    const huge = [{ name: 'range', metadata: Buffer.alloc(64 * 1024) }];
    expect(h.joinResult(h.join(g, '', { protocols: huge }))?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    h.join('a', '');
    h.join('b', '');
    expect(h.joinResult(h.join('c', ''))?.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    h.join('a', '');
    expect(h.joinResult(h.join('a', ''))?.errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    expect(h.core.memberCount).toBe(3);
  });
});

describe('JoinGroup', () => {
  it('Empty: the first member starts a rebalance that completes after the initial delay', () => {
    const h = new CoreHarness();
    const join = h.join(g, '');
    expect(h.state(g)).toBe('PreparingRebalance');
    h.advance(initialDelayMs - 1);
    expect(h.answered(join)).toBe(false);
    h.advance(1);
    const result = h.joinResult(join)!;
    expect(result).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range' });
    expect(result.leaderId).toBe(result.memberId);
    expect(result.memberId).toMatch(/^client-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(result.members).toEqual([{ memberId: result.memberId, metadata: subscription('t') }]);
    expect(h.state(g)).toBe('CompletingRebalance');
  });

  it('Empty: a member joining during the initial delay extends it, up to the rebalance timeout', () => {
    const h = new CoreHarness();
    const first = h.join(g, '', { rebalanceTimeoutMs: 7_000 });
    h.advance(2_000);
    const second = h.join(g, '', { rebalanceTimeoutMs: 7_000 });
    h.advance(1_000);
    expect(h.answered(first)).toBe(false);
    h.advance(2_999);
    expect(h.answered(first)).toBe(false);
    h.advance(1);
    expect(h.joinResult(first)?.generationId).toBe(1);
    expect(h.joinResult(second)?.generationId).toBe(1);
    expect(h.joinResult(first)?.members).toHaveLength(2);
    expect(h.joinResult(second)?.members).toEqual([]);
  });

  it('v4+: an unknown member gets MEMBER_ID_REQUIRED with its id, then joins with it', () => {
    const h = new CoreHarness();
    const first = h.joinResult(h.join(g, '', { requireKnownMemberId: true, clientId: 'app' }))!;
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^app-/);
    const join = h.join(g, first.memberId, { requireKnownMemberId: true });
    h.advance(initialDelayMs);
    expect(h.joinResult(join)).toMatchObject({ errorCode: ErrorCode.NONE, memberId: first.memberId, leaderId: first.memberId });
  });

  it('v4+: a pending member id that is never used expires after the session timeout', () => {
    const h = new CoreHarness();
    const pending = h.joinResult(h.join(g, '', { requireKnownMemberId: true }))!.memberId;
    h.advance(sessionTimeoutMs);
    expect(h.joinResult(h.join(g, pending))?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.core.memberCount).toBe(0);
  });

  it('refuses a protocol type or protocols the group cannot take (INCONSISTENT_GROUP_PROTOCOL)', () => {
    const h = new CoreHarness();
    expect(h.joinResult(h.join(g, '', { protocolType: '' }))?.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(h.joinResult(h.join(g, '', { protocols: [] }))?.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(h.core.listGroups().groups).toEqual([]);
    h.join(g, '', { protocols: protocols('range', 'roundrobin') });
    expect(h.joinResult(h.join(g, '', { protocolType: 'connect' }))?.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(h.joinResult(h.join(g, '', { protocols: protocols('sticky') }))?.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(h.core.memberCount).toBe(1);
  });

  it('picks the protocol every member supports that most members prefer', () => {
    const h = new CoreHarness();
    const a = h.join(g, '', { protocols: protocols('range', 'roundrobin') });
    const b = h.join(g, '', { protocols: protocols('roundrobin', 'range') });
    const c = h.join(g, '', { protocols: protocols('roundrobin', 'range', 'sticky') });
    h.untilAnswered([a, b, c]);
    expect(h.joinResult(a)?.protocolName).toBe('roundrobin');
  });

  it('PreparingRebalance: a known member waits; the join completes as soon as all have rejoined', () => {
    const h = new CoreHarness();
    const { members, generationId } = h.formGroup(g, 2);
    const newcomer = h.join(g, '');
    expect(h.state(g)).toBe('PreparingRebalance');
    const first = h.join(g, members[0]!);
    expect(h.answered(first)).toBe(false);
    const second = h.join(g, members[1]!);
    expect(h.joinResult(first)?.generationId).toBe(generationId + 1);
    expect(h.joinResult(second)?.generationId).toBe(generationId + 1);
    expect(h.joinResult(newcomer)?.generationId).toBe(generationId + 1);
  });

  it('CompletingRebalance: the same protocols get this generation again, new ones force a rebalance', () => {
    const h = new CoreHarness();
    const joins = [h.join(g, ''), h.join(g, '')];
    h.untilAnswered(joins);
    const [leader, follower] = joins.map((id) => h.joinResult(id)!);
    const again = h.joinResult(h.join(g, leader!.memberId))!;
    expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1 });
    expect(again.members).toHaveLength(2);
    const parked = h.sync(g, follower!.memberId, 1);
    const changed = h.join(g, follower!.memberId, { protocols: [{ name: 'range', metadata: subscription('t', 'u') }] });
    expect(h.syncResult(parked)?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(h.state(g)).toBe('PreparingRebalance');
    expect(h.answered(changed)).toBe(false);
  });

  it('Stable: a follower with the same protocols gets this generation, the leader or new protocols rebalance', () => {
    const h = new CoreHarness();
    const { members, generationId, leader } = h.formGroup(g, 2);
    const follower = members.find((m) => m !== leader)!;
    expect(h.state(g)).toBe('Stable');
    const same = h.joinResult(h.join(g, follower))!;
    expect(same).toMatchObject({ errorCode: ErrorCode.NONE, generationId, leaderId: leader, members: [] });
    expect(h.state(g)).toBe('Stable');
    h.join(g, leader);
    expect(h.state(g)).toBe('PreparingRebalance');
  });

  it('Empty: a member id from an earlier generation is unknown', () => {
    const h = new CoreHarness();
    const { members } = h.formGroup(g, 1);
    expect(h.leave(g, members[0]!)).toBe(ErrorCode.NONE);
    expect(h.state(g)).toBe('Empty');
    expect(h.joinResult(h.join(g, members[0]!))?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('group.max.size: members beyond it get GROUP_MAX_SIZE_REACHED', () => {
    const h = new CoreHarness({ groupMaxSize: 2 });
    h.formGroup(g, 2);
    expect(h.joinResult(h.join(g, ''))).toMatchObject({ errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED, memberId: '' });
    expect(h.state(g)).toBe('Stable');
  });

  it('a second JoinGroup from the same member supersedes the first, which gets REBALANCE_IN_PROGRESS', () => {
    const h = new CoreHarness();
    const { members } = h.formGroup(g, 2);
    h.join(g, '');
    const first = h.join(g, members[0]!);
    const second = h.join(g, members[0]!);
    expect(h.joinResult(first)?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(h.answered(second)).toBe(false);
  });
});

describe('SyncGroup', () => {
  it('checks member and generation (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION)', () => {
    const h = new CoreHarness();
    const { members, generationId } = h.formGroup(g, 1);
    expect(h.syncResult(h.sync(g, 'stranger', generationId))?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.syncResult(h.sync(g, members[0]!, generationId + 1))?.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('PreparingRebalance: REBALANCE_IN_PROGRESS', () => {
    const h = new CoreHarness();
    const { members, generationId } = h.formGroup(g, 1);
    h.join(g, '');
    expect(h.syncResult(h.sync(g, members[0]!, generationId))?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it("CompletingRebalance: followers wait; everyone gets the leader's exact bytes once they are persisted", () => {
    const h = new CoreHarness();
    h.autoAck = false;
    const joins = [h.join(g, ''), h.join(g, ''), h.join(g, '')];
    h.untilAnswered(joins);
    const [a, b, c] = joins.map((id) => h.joinResult(id)!.memberId);
    const follower = h.sync(g, b!, 1);
    expect(h.answered(follower)).toBe(false);
    const bytes = Buffer.from([0, 1, 2, 255]);
    const leader = h.sync(g, a!, 1, [
      { memberId: a!, assignment: Buffer.from('mine') },
      { memberId: b!, assignment: bytes },
      { memberId: 'not-a-member', assignment: Buffer.alloc(10) },
    ]);
    expect(h.answered(leader)).toBe(false);
    expect(h.inflight).toHaveLength(1);
    h.settle();
    expect(h.syncResult(leader)).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('mine') });
    expect(h.syncResult(follower)).toEqual({ errorCode: ErrorCode.NONE, assignment: bytes });
    expect(h.state(g)).toBe('Stable');
    // c had no assignment from the leader: it gets empty bytes, not an error.
    expect(h.syncResult(h.sync(g, c!, 1))).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.alloc(0) });
    expect(h.core.rebalancesCompleted).toBe(1);
  });

  it('a failed write answers every waiting member with Kafka’s mapped error and rebalances', () => {
    const h = new CoreHarness();
    h.autoAck = false;
    const joins = [h.join(g, ''), h.join(g, '')];
    h.untilAnswered(joins);
    const [a, b] = joins.map((id) => h.joinResult(id)!.memberId);
    const syncs = [h.sync(g, b!, 1), h.sync(g, a!, 1, [{ memberId: a!, assignment: Buffer.from('x') }])];
    h.settle(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(syncs.map((id) => h.syncResult(id)?.errorCode)).toEqual([ErrorCode.NOT_COORDINATOR, ErrorCode.NOT_COORDINATOR]);
    expect(h.state(g)).toBe('PreparingRebalance');
  });

  it('an assignment too large for one record gets UNKNOWN_SERVER_ERROR (as Kafka’s MESSAGE_TOO_LARGE) and a rebalance', () => {
    const h = new CoreHarness({ recordBytesMax: 1000 });
    const join = h.join(g, '');
    h.advance(initialDelayMs);
    const memberId = h.joinResult(join)!.memberId;
    const sync = h.sync(g, memberId, 1, [{ memberId, assignment: Buffer.alloc(2000) }]);
    expect(h.syncResult(sync)?.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(h.state(g)).toBe('PreparingRebalance');
    expect(h.log).toEqual([]);
  });

  it('Stable: a member gets its current assignment', () => {
    const h = new CoreHarness();
    const { members, generationId } = h.formGroup(g, 2);
    expect(h.syncResult(h.sync(g, members[1]!, generationId))).toEqual({
      errorCode: ErrorCode.NONE,
      assignment: Buffer.from(`assigned:${members[1]}`),
    });
  });
});

describe('Heartbeat and LeaveGroup', () => {
  it('Heartbeat: REBALANCE_IN_PROGRESS while preparing, NONE while completing or stable, ILLEGAL_GENERATION when stale', () => {
    const h = new CoreHarness();
    const joins = [h.join(g, ''), h.join(g, '')];
    h.untilAnswered(joins);
    const [a, b] = joins.map((id) => h.joinResult(id)!.memberId);
    expect(h.heartbeat(g, a!, 1)).toBe(ErrorCode.NONE);
    h.sync(g, b!, 1);
    h.sync(g, a!, 1, []);
    expect(h.heartbeat(g, b!, 1)).toBe(ErrorCode.NONE);
    expect(h.heartbeat(g, b!, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
    h.join(g, '');
    expect(h.heartbeat(g, b!, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(h.heartbeat(g, 'stranger', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a member that stops heartbeating is removed after its session timeout and the group rebalances', () => {
    const h = new CoreHarness();
    const { members, generationId } = h.formGroup(g, 2);
    h.advance(sessionTimeoutMs - 1);
    expect(h.heartbeat(g, members[0]!, generationId)).toBe(ErrorCode.NONE);
    expect(h.state(g)).toBe('Stable');
    h.advance(1);
    expect(h.state(g)).toBe('PreparingRebalance');
    expect(h.heartbeat(g, members[0]!, generationId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(h.heartbeat(g, members[1]!, generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const rejoin = h.join(g, members[0]!);
    expect(h.joinResult(rejoin)).toMatchObject({ generationId: generationId + 1, leaderId: members[0] });
  });

  it('LeaveGroup: the others rejoin without the leaver; the last one out leaves the group Empty', () => {
    const h = new CoreHarness();
    const { members, generationId } = h.formGroup(g, 2);
    expect(h.leave(g, members[0]!)).toBe(ErrorCode.NONE);
    expect(h.state(g)).toBe('PreparingRebalance');
    const rejoin = h.join(g, members[1]!);
    expect(h.joinResult(rejoin)).toMatchObject({ generationId: generationId + 1, leaderId: members[1] });
    h.sync(g, members[1]!, generationId + 1, []);
    expect(h.leave(g, members[1]!)).toBe(ErrorCode.NONE);
    expect(h.state(g)).toBe('Empty');
    const last = decodeGroupRecord(h.log.at(-1)!.key, h.log.at(-1)!.value);
    expect(last).toMatchObject({ kind: 'group', value: { generationId: generationId + 2, members: [] } });
    expect(h.leave(g, members[1]!)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('LeaveGroup of a member with a parked JoinGroup answers it UNKNOWN_MEMBER_ID and lets the rest complete', () => {
    const h = new CoreHarness();
    const { members } = h.formGroup(g, 2);
    const parked = h.join(g, members[0]!, { protocols: protocols('range', 'roundrobin') });
    expect(h.leave(g, members[0]!)).toBe(ErrorCode.NONE);
    expect(h.joinResult(parked)?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const other = h.join(g, members[1]!);
    expect(h.joinResult(other)?.errorCode).toBe(ErrorCode.NONE);
  });

  it('LeaveGroup of a pending (MEMBER_ID_REQUIRED) member', () => {
    const h = new CoreHarness();
    const pending = h.joinResult(h.join(g, '', { requireKnownMemberId: true }))!.memberId;
    expect(h.leave(g, pending)).toBe(ErrorCode.NONE);
    expect(h.core.memberCount).toBe(0);
  });
});

describe('timers', () => {
  it('the rebalance timeout drops members that did not rejoin', () => {
    const h = new CoreHarness();
    const { members, generationId } = h.formGroup(g, 3);
    const joins = [h.join(g, members[0]!), h.join(g, members[1]!)];
    // The third keeps heartbeating (it is told to rejoin) but never rejoins.
    for (let waited = 0; waited < rebalanceTimeoutMs - 5_000; waited += 5_000) {
      h.advance(5_000);
      expect(h.heartbeat(g, members[2]!, generationId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    h.advance(4_999);
    expect(h.answered(joins[0]!)).toBe(false);
    h.advance(1);
    const result = h.joinResult(joins[0]!)!;
    expect(result.generationId).toBe(generationId + 1);
    expect(result.members.map((m) => m.memberId).sort()).toEqual([members[0], members[1]].sort());
  });

  it('members that never sync are dropped after the rebalance timeout', () => {
    const h = new CoreHarness();
    const joins = [h.join(g, ''), h.join(g, '')];
    h.untilAnswered(joins);
    const [a, b] = joins.map((id) => h.joinResult(id)!.memberId);
    h.sync(g, a!, 1, []);
    expect(h.state(g)).toBe('Stable');
    for (let waited = 0; waited < rebalanceTimeoutMs - 5_000; waited += 5_000) {
      h.advance(5_000);
      expect(h.heartbeat(g, a!, 1)).toBe(ErrorCode.NONE);
      expect(h.heartbeat(g, b!, 1)).toBe(ErrorCode.NONE);
    }
    h.advance(5_000);
    expect(h.state(g)).toBe('PreparingRebalance');
    expect(h.heartbeat(g, b!, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a member waiting in a rebalance is not expired by its session timeout', () => {
    const h = new CoreHarness();
    const { members } = h.formGroup(g, 2);
    const join = h.join(g, members[0]!);
    h.advance(sessionTimeoutMs - 1);
    h.heartbeat(g, members[1]!, 1);
    h.advance(sessionTimeoutMs - 1);
    h.heartbeat(g, members[1]!, 1);
    expect(h.answered(join)).toBe(false);
    h.join(g, members[1]!);
    expect(h.joinResult(join)?.errorCode).toBe(ErrorCode.NONE);
  });

  it('a new member whose JoinGroup waits longer than the new-member timeout is dropped', () => {
    const h = new CoreHarness({ newMemberJoinTimeoutMs: 20_000 });
    const { members, generationId } = h.formGroup(g, 1);
    const newcomer = h.join(g, '', { rebalanceTimeoutMs: 60_000 });
    h.advance(9_000);
    h.heartbeat(g, members[0]!, generationId);
    h.advance(9_000);
    h.heartbeat(g, members[0]!, generationId);
    h.advance(2_000);
    expect(h.joinResult(newcomer)?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('OffsetCommit and OffsetFetch', () => {
  const at = (offset: number, p = 0): { topic: string; partition: number; offset: number; metadata: string | null } => ({
    topic: 't',
    partition: p,
    offset,
    metadata: null,
  });

  it('an offset-only consumer (generation -1) gets a group of its own; offsets apply once written', () => {
    const h = new CoreHarness();
    h.autoAck = false;
    const commit = h.commit(g, '', -1, [at(10), at(20, 1)]);
    expect(h.answered(commit)).toBe(false);
    expect(h.offsets(g)).toEqual({});
    h.settle();
    expect(h.commitResult(commit)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(h.offsets(g)).toEqual({ 't-0': 10, 't-1': 20 });
    expect(h.core.listGroups().groups).toEqual([{ groupId: g, protocolType: '' }]);
  });

  it('refuses a generation for a group that does not exist (ILLEGAL_GENERATION)', () => {
    const h = new CoreHarness();
    expect(h.commitResult(h.commit(g, 'm', 3, [at(1)]))).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(h.core.listGroups().groups).toEqual([]);
  });

  it('I8: a member of an old generation cannot commit; the current one can, also while rebalancing', () => {
    const h = new CoreHarness();
    const { members, generationId } = h.formGroup(g, 2);
    expect(h.commitResult(h.commit(g, members[0]!, generationId, [at(5)]))).toEqual([ErrorCode.NONE]);
    h.join(g, '');
    expect(h.state(g)).toBe('PreparingRebalance');
    expect(h.commitResult(h.commit(g, members[1]!, generationId, [at(7)]))).toEqual([ErrorCode.NONE]);
    h.join(g, members[0]!);
    h.join(g, members[1]!);
    expect(h.state(g)).toBe('CompletingRebalance');
    expect(h.commitResult(h.commit(g, members[0]!, generationId + 1, [at(8)]))).toEqual([ErrorCode.REBALANCE_IN_PROGRESS]);
    expect(h.commitResult(h.commit(g, members[0]!, generationId, [at(1)]))).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(h.commitResult(h.commit(g, 'stranger', generationId + 1, [at(1)]))).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(h.commitResult(h.commit(g, '', -1, [at(0)]))).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(h.offsets(g)).toEqual({ 't-0': 7 });
  });

  it('OFFSET_METADATA_TOO_LARGE for that partition only; null metadata is stored as ""', () => {
    const h = new CoreHarness({ offsetMetadataMaxBytes: 4 });
    const result = h.commitResult(h.commit(g, '', -1, [{ ...at(1), metadata: 'abcde' }, { ...at(2, 1), metadata: 'abcd' }, at(3, 2)]));
    expect(result).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.NONE, ErrorCode.NONE]);
    const fetched = h.core.fetchOffsets(partition, g, [{ topic: 't', partitions: [0, 1, 2] }]);
    expect(fetched.topics[0]!.partitions).toEqual([
      { partition: 0, offset: -1, metadata: '', errorCode: ErrorCode.NONE },
      { partition: 1, offset: 2, metadata: 'abcd', errorCode: ErrorCode.NONE },
      { partition: 2, offset: 3, metadata: '', errorCode: ErrorCode.NONE },
    ]);
  });

  it('a failed write maps to Kafka’s commit errors and changes nothing', () => {
    const h = new CoreHarness();
    h.commit(g, '', -1, [at(1)]);
    h.autoAck = false;
    const commit = h.commit(g, '', -1, [at(2)]);
    h.settle(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(h.commitResult(commit)).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE]);
    expect(h.offsets(g)).toEqual({ 't-0': 1 });
  });

  it('OffsetFetch of an unknown group answers -1 without an error', () => {
    const h = new CoreHarness();
    expect(h.core.fetchOffsets(partition, 'nobody', [{ topic: 't', partitions: [0] }])).toEqual({
      errorCode: ErrorCode.NONE,
      topics: [{ topic: 't', partitions: [{ partition: 0, offset: -1, metadata: '', errorCode: ErrorCode.NONE }] }],
    });
    expect(h.core.fetchOffsets(partition, 'nobody', null)).toEqual({ errorCode: ErrorCode.NONE, topics: [] });
  });
});

describe('DescribeGroups, ListGroups and DeleteGroups', () => {
  it('describes a stable group with metadata and assignments, others without, unknown ones as Dead', () => {
    const h = new CoreHarness();
    const { members } = h.formGroup(g, 1, { clientId: 'app' });
    expect(h.core.describeGroup(partition, g)).toEqual({
      errorCode: ErrorCode.NONE,
      groupId: g,
      state: 'Stable',
      protocolType: 'consumer',
      protocolName: 'range',
      members: [
        { memberId: members[0], clientId: 'app', clientHost: '/127.0.0.1', metadata: subscription('t'), assignment: Buffer.from(`assigned:${members[0]}`) },
      ],
    });
    h.join(g, '');
    const preparing = h.core.describeGroup(partition, g);
    expect(preparing).toMatchObject({ state: 'PreparingRebalance', protocolName: '' });
    expect(preparing.members[0]).toMatchObject({ metadata: Buffer.alloc(0), assignment: Buffer.alloc(0) });
    expect(h.core.describeGroup(partition, 'nobody')).toMatchObject({ errorCode: ErrorCode.NONE, state: 'Dead', members: [] });
  });

  it('deletes an Empty group with tombstones for it and its offsets; refuses others', () => {
    const h = new CoreHarness();
    h.commit('offsets-only', '', -1, [{ topic: 't', partition: 0, offset: 3, metadata: null }]);
    h.formGroup(g, 1);
    const before = h.log.length;
    const id = h.step((requestId, at) => h.core.deleteGroups({ requestId, partition, groupIds: ['offsets-only', g, 'nobody'] }, at));
    const reply = h.reply(id);
    expect(reply).toEqual({
      kind: 'delete',
      requestId: id,
      results: [
        { groupId: 'offsets-only', errorCode: ErrorCode.NONE },
        { groupId: g, errorCode: ErrorCode.NON_EMPTY_GROUP },
        { groupId: 'nobody', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
      ],
    });
    const tombstones = h.log.slice(before).map((r) => decodeGroupRecord(r.key, r.value));
    expect(tombstones).toEqual([
      { kind: 'group', groupId: 'offsets-only', value: null },
      { kind: 'offset', groupId: 'offsets-only', topic: 't', partition: 0, value: null },
    ]);
    expect(h.core.listGroups().groups.map((x) => x.groupId)).toEqual([g]);
  });
});

describe('persistence: a new coordinator replays the partition', () => {
  it('rebuilds stable groups with their members, assignments and offsets; silent members then expire', () => {
    const h = new CoreHarness();
    const { members, generationId } = h.formGroup(g, 2);
    h.commit(g, members[0]!, generationId, [{ topic: 't', partition: 0, offset: 42, metadata: 'm' }]);
    h.commit(g, members[1]!, generationId, [{ topic: 't', partition: 1, offset: 43, metadata: null }]);
    h.commit('simple', '', -1, [{ topic: 't', partition: 0, offset: 9, metadata: null }]);
    h.commit('deleted', '', -1, [{ topic: 't', partition: 0, offset: 1, metadata: null }]);
    h.step((requestId, at) => h.core.deleteGroups({ requestId, partition, groupIds: ['deleted'] }, at));

    const next = reload(h.log, h.now);
    expect(next.offsets(g)).toEqual({ 't-0': 42, 't-1': 43 });
    expect(next.offsets('simple')).toEqual({ 't-0': 9 });
    expect(next.core.listGroups().groups.map((x) => x.groupId).sort()).toEqual([g, 'simple']);
    const described = next.core.describeGroup(partition, g);
    expect(described.state).toBe('Stable');
    expect(described.members.map((m) => [m.memberId, m.assignment.toString()])).toEqual(members.map((m) => [m, `assigned:${m}`]));
    expect(next.heartbeat(g, members[0]!, generationId)).toBe(ErrorCode.NONE);
    expect(next.syncResult(next.sync(g, members[0]!, generationId))?.assignment.toString()).toBe(`assigned:${members[0]}`);
    next.advance(sessionTimeoutMs - 1);
    expect(next.heartbeat(g, members[0]!, generationId)).toBe(ErrorCode.NONE);
    next.advance(1);
    expect(next.state(g)).toBe('PreparingRebalance');
    expect(next.heartbeat(g, members[1]!, generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('unloading answers parked requests and writes in flight NOT_COORDINATOR, then refuses', () => {
    const h = new CoreHarness();
    const { members, generationId } = h.formGroup(g, 2);
    const join = h.join(g, members[0]!);
    h.autoAck = false;
    const commit = h.commit('other', '', -1, [{ topic: 't', partition: 0, offset: 1, metadata: null }]);
    h.core.unload(partition);
    h.flush();
    expect(h.joinResult(join)?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(h.commitResult(commit)).toEqual([ErrorCode.NOT_COORDINATOR]);
    h.settle();
    expect(h.heartbeat(g, members[1]!, generationId)).toBe(ErrorCode.NOT_COORDINATOR);
    expect(h.core.groupCount).toBe(0);
    expect(h.core.memberCount).toBe(0);
    expect(h.core.nextDeadlineMs()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('offset retention (offsets.retention.minutes)', () => {
  const retentionMs = 60_000;

  it('expires the offsets of an Empty consumer group that long after it became empty, then the group', () => {
    const h = new CoreHarness({ offsetRetentionMs: retentionMs });
    const { members, generationId } = h.formGroup(g, 1);
    h.commit(g, members[0]!, generationId, [{ topic: 't', partition: 0, offset: 5, metadata: null }]);
    h.advance(2 * retentionMs);
    h.heartbeat(g, members[0]!, generationId);
    h.core.expireOffsets(h.now);
    h.flush();
    expect(h.offsets(g)).toEqual({ 't-0': 5 });
    h.leave(g, members[0]!);
    h.advance(retentionMs - 1);
    h.core.expireOffsets(h.now);
    expect(h.offsets(g)).toEqual({ 't-0': 5 });
    h.advance(1);
    h.core.expireOffsets(h.now);
    h.flush();
    expect(h.offsets(g)).toEqual({});
    expect(h.core.listGroups().groups).toEqual([]);
    expect(reload(h.log, h.now).core.listGroups().groups).toEqual([]);
  });

  it('expires offset-only commits by commit time, and honours a commit’s own retention time', () => {
    const h = new CoreHarness({ offsetRetentionMs: retentionMs });
    h.commit(g, '', -1, [{ topic: 't', partition: 0, offset: 1, metadata: null }], 1_000);
    h.commit(g, '', -1, [{ topic: 't', partition: 1, offset: 2, metadata: null }]);
    h.advance(1_000);
    h.core.expireOffsets(h.now);
    expect(h.offsets(g)).toEqual({ 't-1': 2 });
    h.advance(retentionMs);
    h.core.expireOffsets(h.now);
    h.flush();
    expect(h.offsets(g)).toEqual({});
  });

  it('a stable consumer group keeps offsets of subscribed topics and loses the others', () => {
    const h = new CoreHarness({ offsetRetentionMs: retentionMs });
    const { members, generationId } = h.formGroup(g, 1);
    h.commit(g, members[0]!, generationId, [
      { topic: 't', partition: 0, offset: 1, metadata: null },
      { topic: 'gone', partition: 0, offset: 2, metadata: null },
    ]);
    for (let i = 0; i < 11; i++) {
      h.advance(retentionMs / 10);
      h.heartbeat(g, members[0]!, generationId);
    }
    h.core.expireOffsets(h.now);
    h.flush();
    expect(h.offsets(g)).toEqual({ 't-0': 1 });
  });
});
