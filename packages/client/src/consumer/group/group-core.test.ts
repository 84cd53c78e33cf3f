import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@rill/protocol';
import type { TopicPartitions } from './consumer-protocol.js';
import { GroupCore, type GroupEffect, type JoinResult } from './group-core.js';

/** Effects as short text, so each test reads as a transcript of what the member does. */
function show(effects: readonly GroupEffect[]): string[] {
  const tps = (list: readonly TopicPartitions[]) =>
    list.map((tp) => `${tp.topic}[${tp.partitions.join(',')}]`).join(' ');
  return effects.map((e) => {
    switch (e.type) {
      case 'join':
        return `join member=${e.memberId || '-'} owned=${tps(e.owned) || '-'}`;
      case 'syncAsLeader':
        return `sync as leader (${e.protocol}, ${e.members.length} members)`;
      case 'syncAsFollower':
        return 'sync as follower';
      case 'revoke':
        return `revoke ${tps(e.partitions)}`;
      case 'lose':
        return `lose ${tps(e.partitions)}`;
      case 'assign':
        return `assign ${tps(e.partitions)}`;
      case 'heartbeats':
        return `heartbeats ${e.on ? 'on' : 'off'}`;
      case 'findCoordinator':
        return 'find coordinator';
      case 'retryLater':
        return `retry ${e.then} later`;
      case 'leave':
        return `leave member=${e.memberId}`;
      case 'fail':
        return `fail ${e.error.name}`;
    }
  });
}

function joined(
  memberId: string,
  overrides: Partial<JoinResult> = {},
): { type: 'joined'; result: JoinResult } {
  return {
    type: 'joined',
    result: {
      errorCode: 0,
      memberId,
      generationId: 1,
      protocolName: 'range',
      leader: 'm-leader',
      members: [],
      ...overrides,
    },
  };
}

const synced = (assignment: TopicPartitions[], errorCode = 0) => ({
  type: 'synced' as const,
  errorCode,
  assignment,
});

describe('GroupCore, eager protocol', () => {
  it('joins, syncs, and revokes everything before rejoining on REBALANCE_IN_PROGRESS', () => {
    const core = new GroupCore('eager');
    expect(show(core.step({ type: 'start' }))).toEqual(['heartbeats off', 'join member=- owned=-']);
    expect(show(core.step(joined('m1')))).toEqual(['sync as follower']);
    expect(show(core.step(synced([{ topic: 't', partitions: [1, 0] }])))).toEqual([
      'assign t[0,1]',
      'heartbeats on',
    ]);
    expect(core.phase).toBe('stable');
    expect(show(core.step({ type: 'heartbeat', errorCode: ErrorCode.NONE }))).toEqual([]);
    expect(
      show(core.step({ type: 'heartbeat', errorCode: ErrorCode.REBALANCE_IN_PROGRESS })),
    ).toEqual(['heartbeats off', 'revoke t[0,1]', 'join member=m1 owned=-']);
  });

  it('joins again with the member id the coordinator names (KIP-394), then leads', () => {
    const core = new GroupCore('eager');
    core.step({ type: 'start' });
    expect(
      show(core.step(joined('m-leader', { errorCode: ErrorCode.MEMBER_ID_REQUIRED }))),
    ).toEqual(['join member=m-leader owned=-']);
    expect(
      show(
        core.step(
          joined('m-leader', { members: [{ memberId: 'm-leader', metadata: Buffer.alloc(0) }] }),
        ),
      ),
    ).toEqual(['sync as leader (range, 1 members)']);
  });

  it('loses its partitions without committing when fenced, and forgets an unknown member id', () => {
    const core = new GroupCore('eager');
    core.step({ type: 'start' });
    core.step(joined('m1'));
    core.step(synced([{ topic: 't', partitions: [0] }]));
    expect(show(core.step({ type: 'heartbeat', errorCode: ErrorCode.UNKNOWN_MEMBER_ID }))).toEqual([
      'heartbeats off',
      'lose t[0]',
      'join member=- owned=-',
    ]);
    expect(core.generationId).toBe(-1);
  });

  it('looks the coordinator up again when it moved', () => {
    const core = new GroupCore('eager');
    core.step({ type: 'start' });
    expect(show(core.step(joined('', { errorCode: ErrorCode.NOT_COORDINATOR })))).toEqual([
      'find coordinator',
      'retry join later',
    ]);
    core.step(joined('m1'));
    core.step(synced([]));
    expect(
      show(core.step({ type: 'heartbeat', errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE })),
    ).toEqual(['find coordinator']);
  });

  it('fails on errors that rejoining cannot fix', () => {
    const core = new GroupCore('eager');
    core.step({ type: 'start' });
    expect(
      show(core.step(joined('', { errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL }))),
    ).toEqual(['heartbeats off', 'fail INCONSISTENT_GROUP_PROTOCOL']);
  });

  it('ignores answers that arrive in the wrong phase', () => {
    const core = new GroupCore('eager');
    core.step({ type: 'start' });
    expect(core.step({ type: 'heartbeat', errorCode: ErrorCode.REBALANCE_IN_PROGRESS })).toEqual(
      [],
    );
    expect(core.step(synced([{ topic: 't', partitions: [0] }]))).toEqual([]);
  });

  it('revokes (committing) and leaves on close', () => {
    const core = new GroupCore('eager');
    core.step({ type: 'start' });
    core.step(joined('m1'));
    core.step(synced([{ topic: 't', partitions: [2] }]));
    expect(show(core.step({ type: 'leave' }))).toEqual([
      'heartbeats off',
      'revoke t[2]',
      'leave member=m1',
    ]);
    expect(core.step({ type: 'start' })).toEqual([]);
  });
});

describe('GroupCore, cooperative protocol (KIP-429)', () => {
  it('keeps owned partitions across a rebalance and revokes only what moves, then rejoins', () => {
    const core = new GroupCore('cooperative');
    core.step({ type: 'start' });
    core.step(joined('m1'));
    core.step(synced([{ topic: 't', partitions: [0, 1, 2] }]));
    expect(
      show(core.step({ type: 'heartbeat', errorCode: ErrorCode.REBALANCE_IN_PROGRESS })),
    ).toEqual(['heartbeats off', 'join member=m1 owned=t[0,1,2]']);
    core.step(joined('m1', { generationId: 2 }));
    expect(show(core.step(synced([{ topic: 't', partitions: [0, 1] }])))).toEqual([
      'revoke t[2]',
      'heartbeats on',
      'heartbeats off',
      'join member=m1 owned=t[0,1]',
    ]);
    core.step(joined('m1', { generationId: 3 }));
    expect(
      show(
        core.step(
          synced([
            { topic: 't', partitions: [0, 1] },
            { topic: 'u', partitions: [4] },
          ]),
        ),
      ),
    ).toEqual(['assign u[4]', 'heartbeats on']);
  });
});
