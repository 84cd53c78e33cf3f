import { assert } from '@rill/base';
import { ErrorCode } from '@rill/protocol';
import { KafkaError } from '../../errors.js';
import type { TopicPartitions } from './consumer-protocol.js';

export type Phase = 'unjoined' | 'joining' | 'syncing' | 'stable' | 'left';

export interface JoinResult {
  readonly errorCode: number;
  readonly memberId: string;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leader: string;
  readonly members: readonly { memberId: string; metadata: Buffer }[];
}

/** What happens to the member. The driver feeds these in, one at a time. */
export type GroupEvent =
  | { readonly type: 'start' }
  | { readonly type: 'joined'; readonly result: JoinResult }
  | {
      readonly type: 'synced';
      readonly errorCode: number;
      readonly assignment: readonly TopicPartitions[];
    }
  | { readonly type: 'heartbeat'; readonly errorCode: number }
  /** The subscription or the topics' partition counts changed: the leader must reassign. */
  | { readonly type: 'metadataChanged' }
  | { readonly type: 'leave' };

/** What the driver must do, in order. */
export type GroupEffect =
  | { readonly type: 'join'; readonly memberId: string; readonly owned: readonly TopicPartitions[] }
  | {
      readonly type: 'syncAsLeader';
      readonly protocol: string;
      readonly members: JoinResult['members'];
    }
  | { readonly type: 'syncAsFollower' }
  /** Give these up (commit first where auto-commit is on). */
  | { readonly type: 'revoke'; readonly partitions: readonly TopicPartitions[] }
  /** These were taken away without a chance to commit (generation fenced). */
  | { readonly type: 'lose'; readonly partitions: readonly TopicPartitions[] }
  | { readonly type: 'assign'; readonly partitions: readonly TopicPartitions[] }
  | { readonly type: 'heartbeats'; readonly on: boolean }
  | { readonly type: 'findCoordinator' }
  | { readonly type: 'retryLater'; readonly then: 'join' }
  | { readonly type: 'leave'; readonly memberId: string }
  | { readonly type: 'fail'; readonly error: KafkaError };

const coordinatorMoved: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);

/**
 * One consumer's membership in a classic (JoinGroup/SyncGroup) group, as a pure state
 * machine: events in, effects out, no I/O or timers (DESIGN §4). It follows Kafka's
 * ConsumerCoordinator: eager members revoke everything before joining; cooperative ones
 * (KIP-429) keep what they own, revoke only what the new assignment takes away, and then
 * rejoin so it can be handed on. Fenced members (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID)
 * lose their partitions without committing.
 */
export class GroupCore {
  readonly protocol: 'eager' | 'cooperative';
  #phase: Phase = 'unjoined';
  #memberId = '';
  #generationId = -1;
  #owned: TopicPartitions[] = [];

  constructor(protocol: 'eager' | 'cooperative') {
    this.protocol = protocol;
  }

  get phase(): Phase {
    return this.#phase;
  }

  get memberId(): string {
    return this.#memberId;
  }

  get generationId(): number {
    return this.#generationId;
  }

  get owned(): readonly TopicPartitions[] {
    return this.#owned;
  }

  step(event: GroupEvent): GroupEffect[] {
    if (this.#phase === 'left') return [];
    switch (event.type) {
      case 'start':
        return this.#phase === 'unjoined' ? this.#rejoin() : [];
      case 'joined':
        return this.#phase === 'joining' ? this.#onJoined(event.result) : [];
      case 'synced':
        return this.#phase === 'syncing' ? this.#onSynced(event.errorCode, event.assignment) : [];
      case 'heartbeat':
        return this.#phase === 'stable' ? this.#onHeartbeat(event.errorCode) : [];
      case 'metadataChanged':
        return this.#phase === 'stable' ? this.#rejoin() : [];
      case 'leave':
        return this.#leave();
    }
  }

  #rejoin(): GroupEffect[] {
    const effects: GroupEffect[] = [{ type: 'heartbeats', on: false }];
    if (this.protocol === 'eager' && this.#owned.length > 0) {
      effects.push({ type: 'revoke', partitions: this.#owned });
      this.#owned = [];
    }
    this.#phase = 'joining';
    effects.push({ type: 'join', memberId: this.#memberId, owned: this.#owned });
    return effects;
  }

  #onJoined(result: JoinResult): GroupEffect[] {
    const code = result.errorCode;
    if (code === ErrorCode.NONE) {
      this.#memberId = result.memberId;
      this.#generationId = result.generationId;
      this.#phase = 'syncing';
      if (result.leader === result.memberId)
        return [{ type: 'syncAsLeader', protocol: result.protocolName, members: result.members }];
      return [{ type: 'syncAsFollower' }];
    }
    if (code === ErrorCode.MEMBER_ID_REQUIRED) {
      // KIP-394: the coordinator named our member id; join again with it.
      this.#memberId = result.memberId;
      return [{ type: 'join', memberId: this.#memberId, owned: this.#owned }];
    }
    if (code === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.#memberId = '';
      return [{ type: 'join', memberId: '', owned: this.#owned }];
    }
    if (coordinatorMoved.has(code))
      return [{ type: 'findCoordinator' }, { type: 'retryLater', then: 'join' }];
    if (code === ErrorCode.REBALANCE_IN_PROGRESS) return [{ type: 'retryLater', then: 'join' }];
    return this.#failWith(code, 'JoinGroup');
  }

  #onSynced(code: number, assignment: readonly TopicPartitions[]): GroupEffect[] {
    if (code === ErrorCode.NONE) return this.#adopt(assignment);
    if (code === ErrorCode.REBALANCE_IN_PROGRESS) return this.#rejoin();
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION)
      return this.#fenced(code);
    if (coordinatorMoved.has(code)) return [{ type: 'findCoordinator' }, ...this.#rejoin()];
    return this.#failWith(code, 'SyncGroup');
  }

  #adopt(assignment: readonly TopicPartitions[]): GroupEffect[] {
    const next = normalize(assignment);
    const revoked = difference(this.#owned, next);
    const added = difference(next, this.#owned);
    const effects: GroupEffect[] = [];
    if (revoked.length > 0) effects.push({ type: 'revoke', partitions: revoked });
    if (added.length > 0) effects.push({ type: 'assign', partitions: added });
    this.#owned = next;
    this.#phase = 'stable';
    effects.push({ type: 'heartbeats', on: true });
    // KIP-429: what we gave up may be waiting for another member; a new round hands it over.
    if (this.protocol === 'cooperative' && revoked.length > 0) effects.push(...this.#rejoin());
    return effects;
  }

  #onHeartbeat(code: number): GroupEffect[] {
    if (code === ErrorCode.NONE) return [];
    if (code === ErrorCode.REBALANCE_IN_PROGRESS) return this.#rejoin();
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION)
      return this.#fenced(code);
    if (coordinatorMoved.has(code)) return [{ type: 'findCoordinator' }];
    return this.#failWith(code, 'Heartbeat');
  }

  /** The group moved on without us: partitions are lost (not committed), then rejoin. */
  #fenced(code: number): GroupEffect[] {
    const effects: GroupEffect[] = [{ type: 'heartbeats', on: false }];
    if (this.#owned.length > 0) effects.push({ type: 'lose', partitions: this.#owned });
    this.#owned = [];
    if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.#memberId = '';
    this.#generationId = -1;
    this.#phase = 'joining';
    effects.push({ type: 'join', memberId: this.#memberId, owned: [] });
    return effects;
  }

  #leave(): GroupEffect[] {
    const effects: GroupEffect[] = [{ type: 'heartbeats', on: false }];
    if (this.#owned.length > 0) effects.push({ type: 'revoke', partitions: this.#owned });
    if (this.#memberId !== '') effects.push({ type: 'leave', memberId: this.#memberId });
    this.#owned = [];
    this.#phase = 'left';
    return effects;
  }

  #failWith(code: number, apiName: string): GroupEffect[] {
    assert(code !== ErrorCode.NONE, 'failing without an error');
    this.#phase = 'unjoined';
    return [
      { type: 'heartbeats', on: false },
      { type: 'fail', error: new KafkaError(code, { apiName }) },
    ];
  }
}

function normalize(entries: readonly TopicPartitions[]): TopicPartitions[] {
  const byTopic = new Map<string, Set<number>>();
  for (const { topic, partitions } of entries) {
    const set = byTopic.get(topic) ?? new Set<number>();
    for (const p of partitions) set.add(p);
    byTopic.set(topic, set);
  }
  return [...byTopic]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([topic, set]) => ({ topic, partitions: [...set].sort((x, y) => x - y) }));
}

/** Partitions in `a` that are not in `b`. */
export function difference(
  a: readonly TopicPartitions[],
  b: readonly TopicPartitions[],
): TopicPartitions[] {
  const inB = new Set(
    b.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}\u0000${p}`)),
  );
  return a
    .map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.filter((p) => !inB.has(`${topic}\u0000${p}`)),
    }))
    .filter((entry) => entry.partitions.length > 0);
}
