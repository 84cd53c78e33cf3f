import type { TopicPartitions } from '../consumer-protocol.js';

/** One member as the group leader sees it in the JoinGroup response. */
export interface MemberSubscription {
  readonly memberId: string;
  readonly topics: readonly string[];
  /** What the member holds now (consumer protocol v1); cooperative assignors keep it. */
  readonly ownedPartitions: readonly TopicPartitions[];
  /** The generation the member's owned partitions are from, -1 if unknown. */
  readonly generation: number;
}

export interface AssignInput {
  readonly members: readonly MemberSubscription[];
  /** Partition counts of every topic some member subscribes to (missing = does not exist). */
  readonly partitionsPerTopic: ReadonlyMap<string, number>;
}

/** memberId → its partitions, grouped by topic, topics and partitions sorted. */
export type GroupAssignment = Map<string, TopicPartitions[]>;

/**
 * A partition assignor, named as the Java client names it so that mixed groups agree.
 * `eager` assignors need every member to give up everything before a rebalance; a
 * `cooperative` one only ever moves partitions a member has already revoked.
 */
export interface Assignor {
  readonly name: string;
  readonly rebalanceProtocol: 'eager' | 'cooperative';
  /** userData in this member's subscription. */
  subscriptionUserData(generation: number): Buffer | null;
  assign(input: AssignInput): GroupAssignment;
}

/** Members sorted by id: the Java assignors iterate members in this order. */
export function sortedMembers(members: readonly MemberSubscription[]): MemberSubscription[] {
  return [...members].sort((a, b) =>
    a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0,
  );
}

/** Builds the per-member result from flat topic/partition pairs. */
export function toGroupAssignment(
  members: readonly MemberSubscription[],
  pairs: ReadonlyMap<string, readonly { topic: string; partition: number }[]>,
): GroupAssignment {
  const result: GroupAssignment = new Map();
  for (const member of members) {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of pairs.get(member.memberId) ?? []) {
      const list = byTopic.get(topic) ?? [];
      list.push(partition);
      byTopic.set(topic, list);
    }
    const entries = [...byTopic]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([topic, partitions]) => ({ topic, partitions: partitions.sort((x, y) => x - y) }));
    result.set(member.memberId, entries);
  }
  return result;
}
