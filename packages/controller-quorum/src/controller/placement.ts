import { assert } from '@rill/base';

export interface PlacementBroker {
  readonly nodeId: number;
  readonly rack: string | null;
}

export interface PlacementRequest {
  /** The brokers that may hold replicas: the live ones. */
  readonly brokers: readonly PlacementBroker[];
  readonly partitionCount: number;
  readonly replicationFactor: number;
  /** Preferred leaders (first replicas) each broker already has, across all topics. */
  readonly leaderCounts: ReadonlyMap<number, number>;
}

/**
 * Replica lists for `partitionCount` new partitions, preferred leader first.
 *
 * Round-robin over the brokers, as Kafka does: partition i's leader is the broker after
 * partition i-1's, so leaders spread evenly; the round starts at the broker leading the
 * fewest partitions so far, so leaders also spread across topics. Followers come from the
 * brokers after the leader, with an offset that grows every full round so that a broker's
 * replicas are not always followed by the same brokers.
 *
 * When brokers have racks, the round visits racks in turn (a1, b1, c1, a2, …) and each
 * partition takes followers from racks it does not use yet, while there are any: losing a
 * rack then loses at most one replica of each partition. A broker without a rack counts as
 * being in a rack of its own name ''.
 */
export function placeReplicas(request: PlacementRequest): number[][] {
  const order = roundOrder(request.brokers);
  const brokerCount = order.length;
  assert(request.replicationFactor >= 1, 'replication factor below 1');
  assert(request.replicationFactor <= brokerCount, 'replication factor above the broker count');
  const start = leastLoadedIndex(order, request.leaderCounts);
  const rackAware = request.brokers.some((broker) => broker.rack !== null);
  const placements: number[][] = [];
  for (let i = 0; i < request.partitionCount; i++) {
    const leaderIndex = (start + i) % brokerCount;
    const shift = brokerCount > 1 ? Math.floor(i / brokerCount) % (brokerCount - 1) : 0;
    const candidates = followerCandidates(order, leaderIndex, shift);
    const followers = rackAware
      ? pickAcrossRacks(order[leaderIndex], candidates, request.replicationFactor - 1)
      : candidates.slice(0, request.replicationFactor - 1);
    placements.push([order[leaderIndex].nodeId, ...followers.map((broker) => broker.nodeId)]);
  }
  return placements;
}

/** Brokers by id, or, with racks, alternating between racks (each rack's brokers by id). */
function roundOrder(brokers: readonly PlacementBroker[]): PlacementBroker[] {
  const byId = [...brokers].sort((a, b) => a.nodeId - b.nodeId);
  const racks = new Map<string, PlacementBroker[]>();
  for (const broker of byId) {
    const rack = broker.rack ?? '';
    racks.set(rack, [...(racks.get(rack) ?? []), broker]);
  }
  const rackNames = [...racks.keys()].sort();
  const order: PlacementBroker[] = [];
  for (let round = 0; order.length < byId.length; round++) {
    for (const rack of rackNames) {
      const broker = racks.get(rack)![round];
      if (broker !== undefined) order.push(broker);
    }
  }
  return order;
}

function leastLoadedIndex(
  order: readonly PlacementBroker[],
  leaderCounts: ReadonlyMap<number, number>,
): number {
  let best = 0;
  for (let index = 1; index < order.length; index++) {
    const count = leaderCounts.get(order[index].nodeId) ?? 0;
    if (count < (leaderCounts.get(order[best].nodeId) ?? 0)) best = index;
  }
  return best;
}

/** Every other broker, starting `shift` places after the leader and wrapping around. */
function followerCandidates(
  order: readonly PlacementBroker[],
  leaderIndex: number,
  shift: number,
): PlacementBroker[] {
  const others = order.length - 1;
  return Array.from(
    { length: others },
    (_, k) => order[(leaderIndex + 1 + ((shift + k) % others)) % order.length],
  );
}

/** Candidates on racks not used yet first, then the rest, in candidate order. */
function pickAcrossRacks(
  leader: PlacementBroker,
  candidates: readonly PlacementBroker[],
  count: number,
): PlacementBroker[] {
  const usedRacks = new Set([leader.rack ?? '']);
  const picked: PlacementBroker[] = [];
  for (const candidate of candidates) {
    if (picked.length === count) break;
    const rack = candidate.rack ?? '';
    if (!usedRacks.has(rack)) {
      usedRacks.add(rack);
      picked.push(candidate);
    }
  }
  for (const candidate of candidates) {
    if (picked.length === count) break;
    if (!picked.includes(candidate)) picked.push(candidate);
  }
  return picked;
}
