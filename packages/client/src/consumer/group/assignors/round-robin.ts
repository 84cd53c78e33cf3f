import {
  sortedMembers,
  toGroupAssignment,
  type AssignInput,
  type Assignor,
  type GroupAssignment,
} from './assignor.js';

/**
 * Java's RoundRobinAssignor: every partition of every subscribed topic (topics sorted,
 * partitions in order) goes to the next member in id order that subscribes to its topic.
 */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  rebalanceProtocol: 'eager',
  subscriptionUserData: () => null,
  assign(input: AssignInput): GroupAssignment {
    const members = sortedMembers(input.members);
    const pairs = new Map<string, { topic: string; partition: number }[]>(
      members.map((m) => [m.memberId, []]),
    );
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    let next = 0;
    for (const topic of topics) {
      const count = input.partitionsPerTopic.get(topic) ?? 0;
      for (let partition = 0; partition < count; partition++) {
        for (let tried = 0; tried < members.length; tried++) {
          const member = members[(next + tried) % members.length]!;
          if (!member.topics.includes(topic)) continue;
          pairs.get(member.memberId)!.push({ topic, partition });
          next = (next + tried + 1) % members.length;
          break;
        }
      }
    }
    return toGroupAssignment(members, pairs);
  },
};
