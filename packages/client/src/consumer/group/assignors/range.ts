import {
  sortedMembers,
  toGroupAssignment,
  type AssignInput,
  type Assignor,
  type GroupAssignment,
} from './assignor.js';

/**
 * Java's RangeAssignor: per topic, the members subscribed to it (sorted by id) each get a
 * contiguous range; the first `partitions % members` get one extra.
 */
export const rangeAssignor: Assignor = {
  name: 'range',
  rebalanceProtocol: 'eager',
  subscriptionUserData: () => null,
  assign(input: AssignInput): GroupAssignment {
    const members = sortedMembers(input.members);
    const pairs = new Map<string, { topic: string; partition: number }[]>(
      members.map((m) => [m.memberId, []]),
    );
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    for (const topic of topics) {
      const count = input.partitionsPerTopic.get(topic);
      if (count === undefined) continue;
      const subscribers = members.filter((m) => m.topics.includes(topic));
      const per = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      subscribers.forEach((member, i) => {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        for (let p = start; p < start + length; p++)
          pairs.get(member.memberId)!.push({ topic, partition: p });
      });
    }
    return toGroupAssignment(members, pairs);
  },
};
