/**
 * The Raft safety properties (reliability plan I9; Kafka's RaftEventSimulationTest list),
 * checked after every simulation event. Each returns null when it holds.
 */
import type { RaftWorld, SimRaftNode } from './raft-world.js';

export interface RaftInvariant {
  readonly name: string;
  check(world: RaftWorld): string | null;
}

function upNodes(world: RaftWorld): SimRaftNode[] {
  const nodes: SimRaftNode[] = [];
  for (const id of world.ids) {
    const node = world.nodes.get(id);
    if (node !== undefined) nodes.push(node);
  }
  return nodes;
}

const oneLeaderPerEpoch: RaftInvariant = {
  name: 'at most one leader per epoch',
  check(world) {
    for (const { id, core } of upNodes(world)) {
      if (core.role !== 'leader') continue;
      const leader = world.leaders.get(core.epoch);
      if (leader === undefined) world.leaders.set(core.epoch, id);
      else if (leader !== id) return `nodes ${leader} and ${id} both led epoch ${core.epoch}`;
    }
    return null;
  },
};

const monotonicEpoch: RaftInvariant = {
  name: 'a node never goes back to an older epoch',
  check(world) {
    for (const node of upNodes(world)) {
      if (node.core.epoch < node.seenEpoch)
        return `node ${node.id} went from epoch ${node.seenEpoch} to ${node.core.epoch}`;
      const persisted = world.stores.get(node.id)!.epoch;
      if (node.core.epoch < persisted)
        return `node ${node.id} at epoch ${node.core.epoch} below its persisted ${persisted}`;
      node.seenEpoch = node.core.epoch;
    }
    return null;
  },
};

/** Also: a leader's high watermark only moves onto an entry of its own epoch (Raft §5.4.2). */
const monotonicHighWatermark: RaftInvariant = {
  name: 'high watermark never decreases, and a leader only commits in its own epoch',
  check(world) {
    for (const node of upNodes(world)) {
      const { core } = node;
      const hw = core.highWatermark;
      if (hw < node.seenHighWatermark)
        return `node ${node.id} high watermark went from ${node.seenHighWatermark} to ${hw}`;
      const advancedAsLeader =
        hw > node.seenHighWatermark && core.role === 'leader' && node.seenRole === 'leader';
      if (advancedAsLeader && core.epochAt(hw - 1) !== core.epoch) {
        return `leader ${node.id} of epoch ${core.epoch} committed up to ${hw} whose last entry has epoch ${core.epochAt(hw - 1)}`;
      }
      node.seenHighWatermark = hw;
      node.seenRole = core.role;
    }
    return null;
  },
};

const consistentCommittedData: RaftInvariant = {
  name: 'committed entries are identical on every node',
  check(world) {
    if (world.violations.length > 0) return world.violations[0]!;
    for (const { id, core } of upNodes(world)) {
      const hw = core.highWatermark;
      if (hw === 0 || hw - 1 < core.logStartOffset) continue;
      const ours = core.entryAt(hw - 1);
      const committed = world.committed.get(hw - 1);
      if (ours === undefined || committed === undefined) continue;
      if (ours.epoch !== committed.epoch || !ours.payload.equals(committed.payload)) {
        return `node ${id} holds e${ours.epoch} at committed offset ${hw - 1}, committed was e${committed.epoch}`;
      }
    }
    return null;
  },
};

/** Kafka's MajorityReachedHighWatermark: what was committed is on disk at a majority of voters. */
const committedOnMajority: RaftInvariant = {
  name: 'every committed entry is persisted on a majority of voters',
  check(world) {
    const last = world.committed.size - 1;
    if (last < 0) return null;
    const entry = world.committed.get(last);
    if (entry === undefined) return null;
    const voters = world.config.voters;
    const holding = voters.filter((id) => world.stores.get(id)!.holds(last, entry.epoch)).length;
    if (holding * 2 <= voters.length)
      return `committed offset ${last} is persisted on ${holding} of ${voters.length} voters`;
    return null;
  },
};

export const raftInvariants: readonly RaftInvariant[] = [
  oneLeaderPerEpoch,
  monotonicEpoch,
  monotonicHighWatermark,
  consistentCommittedData,
  committedOnMajority,
];
