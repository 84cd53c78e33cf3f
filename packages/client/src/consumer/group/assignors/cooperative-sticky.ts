import {
  sortedMembers,
  toGroupAssignment,
  type AssignInput,
  type Assignor,
  type GroupAssignment,
  type MemberSubscription,
} from './assignor.js';

type Pair = { readonly topic: string; readonly partition: number };
const keyOf = (p: Pair): string => `${p.topic}\u0000${p.partition}`;

/**
 * A sticky, cooperative assignor named and encoded as Java's CooperativeStickyAssignor
 * (userData = the generation as int32), so it can share a group with Java members:
 *
 * 1. Each member keeps what it owns, if it still subscribes and the partition exists; a
 *    partition claimed twice stays with the claim from the newest generation.
 * 2. Members above their fair share give back their highest partitions.
 * 3. Free partitions go, in order, to the eligible member holding the fewest.
 * 4. Cooperative step: a partition that moves to a new owner is left unassigned in this
 *    round; its previous owner revokes it and the follow-up rebalance hands it over.
 */
export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  rebalanceProtocol: 'cooperative',
  subscriptionUserData(generation: number): Buffer {
    const data = Buffer.alloc(4);
    data.writeInt32BE(generation);
    return data;
  },
  assign(input: AssignInput): GroupAssignment {
    const members = sortedMembers(input.members);
    const all = allPartitions(members, input.partitionsPerTopic);
    const previousOwner = claimedOwners(members, all);
    const holdings = new Map<string, Pair[]>(members.map((m) => [m.memberId, []]));
    for (const pair of all) {
      const owner = previousOwner.get(keyOf(pair));
      if (owner !== undefined) holdings.get(owner)!.push(pair);
    }
    const free = trimToQuota(members, holdings, all);
    for (const pair of all) if (!previousOwner.has(keyOf(pair))) free.push(pair);
    free.sort(comparePairs);
    for (const pair of free) giveToLeastLoaded(members, holdings, pair);
    // Cooperative: never hand over a partition its previous owner has not revoked yet.
    for (const [memberId, pairs] of holdings) {
      holdings.set(
        memberId,
        pairs.filter((pair) => {
          const owner = previousOwner.get(keyOf(pair));
          return owner === undefined || owner === memberId;
        }),
      );
    }
    return toGroupAssignment(members, holdings);
  },
};

/** Reads the generation Java's cooperative-sticky members put in userData (-1 if none). */
export function generationFromUserData(userData: Buffer | null): number {
  return userData !== null && userData.length >= 4 ? userData.readInt32BE(0) : -1;
}

function comparePairs(a: Pair, b: Pair): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

function allPartitions(
  members: readonly MemberSubscription[],
  counts: ReadonlyMap<string, number>,
): Pair[] {
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  return topics.flatMap((topic) =>
    Array.from({ length: counts.get(topic) ?? 0 }, (_, partition) => ({ topic, partition })),
  );
}

/** Who holds each existing partition now: the subscribed claimant with the newest generation. */
function claimedOwners(
  members: readonly MemberSubscription[],
  all: readonly Pair[],
): Map<string, string> {
  const exists = new Set(all.map(keyOf));
  const owners = new Map<string, { memberId: string; generation: number }>();
  for (const member of members) {
    for (const owned of member.ownedPartitions) {
      if (!member.topics.includes(owned.topic)) continue;
      for (const partition of owned.partitions) {
        const key = keyOf({ topic: owned.topic, partition });
        const current = owners.get(key);
        if (!exists.has(key) || (current !== undefined && current.generation >= member.generation))
          continue;
        owners.set(key, { memberId: member.memberId, generation: member.generation });
      }
    }
  }
  return new Map([...owners].map(([key, owner]) => [key, owner.memberId]));
}

/**
 * Fair shares: with P partitions a member subscribing to them all may hold ceil(P/M), and
 * only P % M members may sit at that ceiling. Excess partitions (the highest) come back.
 */
function trimToQuota(
  members: readonly MemberSubscription[],
  holdings: Map<string, Pair[]>,
  all: readonly Pair[],
): Pair[] {
  const minQuota = Math.floor(all.length / members.length);
  let maxAllowed = all.length % members.length;
  const freed: Pair[] = [];
  const byLoad = [...members].sort(
    (a, b) => holdings.get(b.memberId)!.length - holdings.get(a.memberId)!.length,
  );
  for (const member of byLoad) {
    const pairs = holdings.get(member.memberId)!.sort(comparePairs);
    let quota = minQuota;
    if (maxAllowed > 0 && pairs.length > minQuota) {
      quota = minQuota + 1;
      maxAllowed--;
    }
    if (pairs.length > quota) freed.push(...pairs.splice(quota));
  }
  return freed;
}

function giveToLeastLoaded(
  members: readonly MemberSubscription[],
  holdings: Map<string, Pair[]>,
  pair: Pair,
): void {
  let chosen: MemberSubscription | undefined;
  for (const member of members) {
    if (!member.topics.includes(pair.topic)) continue;
    if (
      chosen === undefined ||
      holdings.get(member.memberId)!.length < holdings.get(chosen.memberId)!.length
    )
      chosen = member;
  }
  if (chosen !== undefined) holdings.get(chosen.memberId)!.push(pair);
}
