import { describe, expect, it } from 'vitest';
import { ApiKey, ErrorCode } from '@rill/protocol';
import { waitFor } from '@rill/testkit';
import type { GroupContext } from '../../admin/groups.js';
import type { Cluster } from '../../cluster/cluster.js';
import { silentLogger } from '../../logger.js';
import { resolveConsumerOptions, type AssignorName } from '../options.js';
import type { TopicPartition } from '../subscription-state.js';
import { GroupMembership } from './membership.js';

type Protocols = { name: string; metadata: Buffer }[];

/**
 * A group coordinator in memory, just enough of Kafka's classic protocol to drive real
 * GroupMembership drivers: a rebalance starts when a member joins or leaves, members learn
 * of it from Heartbeat, JoinGroup answers once every member has rejoined, and the leader's
 * SyncGroup hands every member its assignment.
 */
class FakeCoordinator {
  generation = 0;
  readonly #members = new Map<string, Protocols>();
  readonly #joining = new Map<string, (answer: object) => void>();
  readonly #syncing = new Map<string, (answer: object) => void>();
  #assignments = new Map<string, Buffer>();
  #rebalancing = false;
  #nextId = 1;

  join(body: { memberId: string; protocols: Protocols }): Promise<object> {
    const memberId = body.memberId || `member-${this.#nextId++}`;
    this.#members.set(memberId, body.protocols);
    this.#rebalancing = true;
    return new Promise((resolve) => {
      this.#joining.set(memberId, resolve);
      this.#completeJoin();
    });
  }

  #completeJoin(): void {
    if (this.#joining.size < this.#members.size) return;
    this.generation++;
    this.#assignments = new Map();
    const ids = [...this.#members.keys()];
    const leader = ids[0]!;
    const protocol = this.#members.get(leader)![0]!.name;
    for (const [memberId, resolve] of this.#joining) {
      const members =
        memberId === leader
          ? ids.map((id) => ({
              memberId: id,
              metadata: this.#members.get(id)!.find((p) => p.name === protocol)!.metadata,
            }))
          : [];
      resolve({
        errorCode: 0,
        generationId: this.generation,
        protocolName: protocol,
        leader,
        memberId,
        members,
        throttleTimeMs: 0,
      });
    }
    this.#joining.clear();
  }

  sync(body: {
    memberId: string;
    generationId: number;
    assignments: { memberId: string; assignment: Buffer }[];
  }): Promise<object> {
    if (body.generationId !== this.generation)
      return Promise.resolve({
        errorCode: ErrorCode.ILLEGAL_GENERATION,
        assignment: Buffer.alloc(0),
      });
    return new Promise((resolve) => {
      this.#syncing.set(body.memberId, resolve);
      if (body.assignments.length > 0)
        this.#assignments = new Map(body.assignments.map((a) => [a.memberId, a.assignment]));
      if (this.#assignments.size === 0) return;
      for (const [memberId, answer] of this.#syncing)
        answer({ errorCode: 0, assignment: this.#assignments.get(memberId) ?? Buffer.alloc(0) });
      this.#syncing.clear();
      this.#rebalancing = this.#joining.size > 0;
    });
  }

  heartbeat(body: { generationId: number }): object {
    const stale = body.generationId !== this.generation;
    return {
      errorCode: this.#rebalancing || stale ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE,
    };
  }

  leave(body: { memberId: string }): object {
    this.#members.delete(body.memberId);
    this.#rebalancing = this.#members.size > 0;
    return { errorCode: 0 };
  }
}

function member(coordinator: FakeCoordinator, assignors: AssignorName[]) {
  const connection = {
    request: async (apiKey: number, body: never) => {
      if (apiKey === ApiKey.JoinGroup) return coordinator.join(body);
      if (apiKey === ApiKey.SyncGroup) return coordinator.sync(body);
      if (apiKey === ApiKey.Heartbeat) return coordinator.heartbeat(body);
      if (apiKey === ApiKey.LeaveGroup) return coordinator.leave(body);
      throw new Error(`unexpected api ${apiKey}`);
    },
  };
  const cluster = {
    logger: silentLogger,
    options: { retry: { retries: 3, initialBackoffMs: 1, maxBackoffMs: 5 } },
    track: () => undefined,
    onMetadata: () => () => undefined,
    describeTopics: async () => ({
      topics: new Map([['t', { errorCode: 0, partitions: [0, 1, 2, 3] }]]),
    }),
  } as unknown as Cluster;
  const group = {
    cluster,
    coordinators: { connectionFor: async () => connection, forget: () => undefined },
  } as unknown as GroupContext;
  const state = { assigned: [] as TopicPartition[], commits: 0, errors: [] as Error[] };
  const options = resolveConsumerOptions({
    brokers: ['fake:9092'],
    groupId: 'g',
    assignors,
    heartbeatIntervalMs: 5,
    sessionTimeoutMs: 1000,
  });
  const host = {
    group,
    options,
    setAssignment: (partitions: readonly TopicPartition[]) =>
      void (state.assigned = [...partitions]),
    commitProcessed: async () => void state.commits++,
    fail: (error: Error) => void state.errors.push(error),
  };
  return { membership: new GroupMembership(host, 'g', ['t']), state };
}

const owned = (state: { assigned: TopicPartition[] }) =>
  state.assigned.map((tp) => tp.partition).sort();

describe('GroupMembership against an in-memory coordinator', () => {
  it.each([['range'], ['cooperative-sticky']] as AssignorName[][])(
    'shares partitions, rebalances on join and leave (%s)',
    async (assignor) => {
      const coordinator = new FakeCoordinator();
      const a = member(coordinator, [assignor]);
      await a.membership.start();
      expect(owned(a.state)).toEqual([0, 1, 2, 3]);

      const b = member(coordinator, [assignor]);
      const joined = b.membership.start();
      await waitFor(() => owned(a.state).length === 2 && owned(b.state).length === 2, {
        timeoutMs: 5000,
        description: 'two members with two partitions each',
      });
      await joined;
      expect([...owned(a.state), ...owned(b.state)].sort()).toEqual([0, 1, 2, 3]);
      expect(a.state.commits).toBeGreaterThan(0); // revoking commits first

      await b.membership.close();
      await waitFor(() => owned(a.state).length === 4, {
        timeoutMs: 5000,
        description: 'the remaining member to own all four',
      });
      await a.membership.close();
      expect([...a.state.errors, ...b.state.errors]).toEqual([]);
      expect(coordinator.generation).toBeGreaterThanOrEqual(3);
    },
  );

  it("keeps a cooperative member's partitions in place while a newcomer takes its share", async () => {
    const coordinator = new FakeCoordinator();
    const a = member(coordinator, ['cooperative-sticky']);
    await a.membership.start();
    const history: number[][] = [];
    const b = member(coordinator, ['cooperative-sticky']);
    const watch = setInterval(() => history.push(owned(a.state)), 1);
    await b.membership.start();
    await waitFor(() => owned(b.state).length === 2, {
      timeoutMs: 5000,
      description: 'the newcomer to get two partitions',
    });
    clearInterval(watch);
    expect(history.length).toBeGreaterThan(0);
    // a never dropped to nothing in between, as an eager member would.
    expect(history.every((partitions) => partitions.length >= 2)).toBe(true);
    await b.membership.close();
    await a.membership.close();
  });
});
