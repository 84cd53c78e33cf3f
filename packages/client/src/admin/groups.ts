import { ApiKey, ErrorCode } from '@rill/protocol';
import { InvalidArgumentError, KafkaError, RillError, throwCollected } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { isCoordinatorMoved, type CoordinatorLookup } from '../cluster/coordinator.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../cluster/list-offsets.js';
import { withRetry } from '../cluster/retry.js';
import type { Connection } from '../network/connection.js';
import { decodeAssignment } from '../consumer/group/consumer-protocol.js';

export interface GroupListing {
  readonly groupId: string;
  readonly protocolType: string;
}

export interface GroupMember {
  readonly memberId: string;
  readonly clientId: string;
  readonly host: string;
  /** Decoded for consumer groups; empty for other protocol types. */
  readonly assignment: readonly { topic: string; partition: number }[];
}

export interface GroupDescription {
  readonly groupId: string;
  /** Empty, Stable, PreparingRebalance, CompletingRebalance or Dead. */
  readonly state: string;
  readonly protocolType: string;
  /** The assignor the group chose (range, roundrobin, cooperative-sticky…). */
  readonly protocol: string;
  readonly members: readonly GroupMember[];
  readonly coordinatorId: number | undefined;
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** The committed offset, or null if the group never committed this partition. */
  readonly currentOffset: number | null;
  readonly logEndOffset: number;
  /** logEndOffset - currentOffset, or null without a commit. */
  readonly lag: number | null;
  readonly memberId: string | null;
  readonly clientId: string | null;
  readonly host: string | null;
}

export interface GroupContext {
  readonly cluster: Cluster;
  readonly coordinators: CoordinatorLookup;
}

/** Runs a group request on the group's coordinator, looking it up again if it moved. */
export function onCoordinator<T>(
  ctx: GroupContext,
  groupId: string,
  call: (connection: Connection) => Promise<T>,
): Promise<T> {
  return withRetry(
    async () => call(await ctx.coordinators.connectionFor(groupId)),
    ctx.cluster.options.retry,
    {
      onRetry: (error) => {
        if (error instanceof KafkaError && isCoordinatorMoved(error.code))
          ctx.coordinators.forget(groupId);
        if (!(error instanceof KafkaError)) ctx.coordinators.forget(groupId);
      },
    },
  );
}

/** ListGroups on every broker: each knows only the groups it coordinates. */
export async function listGroups(cluster: Cluster): Promise<GroupListing[]> {
  const metadata = await cluster.refreshMetadata();
  const groups = new Map<string, GroupListing>();
  const errors: RillError[] = [];
  for (const nodeId of metadata.brokers.keys()) {
    try {
      const response = await (await cluster.nodeConnection(nodeId)).request(ApiKey.ListGroups, {});
      if (response.errorCode !== ErrorCode.NONE)
        throw new KafkaError(response.errorCode, { apiName: 'ListGroups' });
      for (const group of response.groups)
        groups.set(group.groupId, { groupId: group.groupId, protocolType: group.protocolType });
    } catch (error) {
      errors.push(
        error instanceof RillError ? error : new RillError(String(error), { retriable: false }),
      );
    }
  }
  throwCollected('ListGroups failed', errors);
  return [...groups.values()].sort((a, b) => a.groupId.localeCompare(b.groupId));
}

export async function describeGroup(ctx: GroupContext, groupId: string): Promise<GroupDescription> {
  const group = await onCoordinator(ctx, groupId, async (connection) => {
    const response = await connection.request(ApiKey.DescribeGroups, { groups: [groupId] });
    const found = response.groups[0]!;
    if (found.errorCode !== ErrorCode.NONE)
      throw new KafkaError(found.errorCode, { apiName: 'DescribeGroups', groupId });
    return found;
  });
  return {
    groupId,
    state: group.groupState,
    protocolType: group.protocolType,
    protocol: group.protocolData,
    coordinatorId: ctx.coordinators.coordinatorId(groupId),
    members: group.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: group.protocolType === 'consumer' ? flatten(m.memberAssignment) : [],
    })),
  };
}

function flatten(assignmentBytes: Buffer): { topic: string; partition: number }[] {
  return decodeAssignment(assignmentBytes).partitions.flatMap((tp) =>
    tp.partitions.map((partition) => ({ topic: tp.topic, partition })),
  );
}

/** The group's committed offsets (all partitions it ever committed, or those of `topics`). */
export async function fetchCommittedOffsets(
  ctx: GroupContext,
  groupId: string,
  partitions: readonly { topic: string; partition: number }[] | null,
): Promise<Map<string, number>> {
  const topics = partitions === null ? null : groupByTopic(partitions);
  const response = await onCoordinator(ctx, groupId, async (connection) => {
    const answer = await connection.request(ApiKey.OffsetFetch, { groupId, topics });
    throwIfGroupError(answer.errorCode, 'OffsetFetch', groupId);
    return answer;
  });
  const offsets = new Map<string, number>();
  for (const topic of response.topics) {
    for (const p of topic.partitions) {
      throwIfGroupError(p.errorCode, 'OffsetFetch', groupId);
      if (p.committedOffset >= 0)
        offsets.set(`${topic.name}:${p.partitionIndex}`, p.committedOffset);
    }
  }
  return offsets;
}

function throwIfGroupError(code: number, apiName: string, groupId: string): void {
  if (code !== ErrorCode.NONE) throw new KafkaError(code, { apiName, groupId });
}

export function groupByTopic(
  partitions: readonly { topic: string; partition: number }[],
): { name: string; partitionIndexes: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic) ?? [];
    list.push(partition);
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
}

/** Per partition: committed offset, log end offset, lag, and the member that owns it. */
export async function describeGroupLag(
  ctx: GroupContext,
  groupId: string,
): Promise<{ group: GroupDescription; partitions: PartitionLag[] }> {
  const group = await describeGroup(ctx, groupId);
  const committed = await fetchCommittedOffsets(ctx, groupId, null);
  const owners = new Map<string, GroupMember>();
  for (const member of group.members)
    for (const tp of member.assignment) owners.set(`${tp.topic}:${tp.partition}`, member);
  const keys = new Set([...committed.keys(), ...owners.keys()]);
  const queries = [...keys]
    .map(splitKey)
    .map(({ topic, partition }) => ({ topic, partition, timestamp: LATEST_TIMESTAMP }));
  const ends = queries.length === 0 ? [] : await listOffsets(ctx.cluster, queries);
  const partitions = ends.map((end) => {
    const key = `${end.topic}:${end.partition}`;
    const current = committed.get(key) ?? null;
    const owner = owners.get(key);
    return {
      topic: end.topic,
      partition: end.partition,
      currentOffset: current,
      logEndOffset: end.offset,
      lag: current === null ? null : Math.max(0, end.offset - current),
      memberId: owner?.memberId ?? null,
      clientId: owner?.clientId ?? null,
      host: owner?.host ?? null,
    };
  });
  partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return { group, partitions };
}

function splitKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf(':');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

export type ResetTarget =
  | { readonly to: 'earliest' }
  | { readonly to: 'latest' }
  | { readonly to: 'offset'; readonly offset: number }
  | { readonly to: 'timestamp'; readonly timestampMs: number }
  | { readonly to: 'shift'; readonly by: number };

export interface OffsetResetResult {
  readonly topic: string;
  readonly partition: number;
  readonly previousOffset: number | null;
  readonly newOffset: number;
}

/**
 * Computes new committed offsets for a topic's partitions and, unless `dryRun`, commits
 * them. Only an empty group can be reset: members would overwrite the offsets at once.
 */
export async function resetGroupOffsets(
  ctx: GroupContext,
  args: {
    groupId: string;
    topic: string;
    partitions?: readonly number[];
    target: ResetTarget;
    dryRun: boolean;
  },
): Promise<OffsetResetResult[]> {
  const group = await describeGroup(ctx, args.groupId);
  if (!args.dryRun && group.state !== 'Empty' && group.state !== 'Dead') {
    throw new InvalidArgumentError(
      `group ${args.groupId} is ${group.state} with ${group.members.length} member(s): stop its consumers before resetting offsets`,
    );
  }
  const metadata = await ctx.cluster.describeTopics([args.topic]);
  const topic = metadata.topics.get(args.topic);
  if (topic === undefined || topic.errorCode !== ErrorCode.NONE) {
    throw new KafkaError(topic?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, {
      topic: args.topic,
    });
  }
  const partitions = args.partitions ?? topic.partitions.map((p) => p.partition);
  const committed = await fetchCommittedOffsets(
    ctx,
    args.groupId,
    partitions.map((partition) => ({ topic: args.topic, partition })),
  );
  const resets = await targetOffsets(ctx.cluster, args.topic, partitions, args.target, committed);
  if (!args.dryRun)
    await commitOffsets(
      ctx,
      args.groupId,
      resets.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })),
    );
  return resets;
}

async function targetOffsets(
  cluster: Cluster,
  topic: string,
  partitions: readonly number[],
  target: ResetTarget,
  committed: Map<string, number>,
): Promise<OffsetResetResult[]> {
  const bounds = async (timestamp: number) =>
    listOffsets(
      cluster,
      partitions.map((partition) => ({ topic, partition, timestamp })),
    );
  const [earliest, latest] = [await bounds(EARLIEST_TIMESTAMP), await bounds(LATEST_TIMESTAMP)];
  const byTime = target.to === 'timestamp' ? await bounds(target.timestampMs) : [];
  return partitions.map((partition, i) => {
    const previous = committed.get(`${topic}:${partition}`) ?? null;
    const low = earliest[i]!.offset;
    const high = latest[i]!.offset;
    let wanted: number;
    if (target.to === 'earliest') wanted = low;
    else if (target.to === 'latest') wanted = high;
    else if (target.to === 'offset') wanted = target.offset;
    else if (target.to === 'timestamp') wanted = byTime[i]!.offset < 0 ? high : byTime[i]!.offset;
    else wanted = (previous ?? low) + target.by;
    return {
      topic,
      partition,
      previousOffset: previous,
      newOffset: Math.min(high, Math.max(low, wanted)),
    };
  });
}

/** Who commits: a member of the current generation, or an admin tool (generation -1, no member). */
export interface Committer {
  readonly generationId: number;
  readonly memberId: string;
}

const adminCommitter: Committer = { generationId: -1, memberId: '' };

export async function commitOffsets(
  ctx: GroupContext,
  groupId: string,
  offsets: readonly { topic: string; partition: number; offset: number }[],
  committer: Committer = adminCommitter,
): Promise<void> {
  const byTopic = new Map<
    string,
    { partitionIndex: number; committedOffset: number; committedMetadata: string | null }[]
  >();
  for (const o of offsets) {
    const list = byTopic.get(o.topic) ?? [];
    list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedMetadata: null });
    byTopic.set(o.topic, list);
  }
  await onCoordinator(ctx, groupId, async (connection) => {
    const response = await connection.request(ApiKey.OffsetCommit, {
      groupId,
      generationId: committer.generationId,
      memberId: committer.memberId,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    });
    const errors = response.topics.flatMap((t) =>
      t.partitions
        .filter((p) => p.errorCode !== ErrorCode.NONE)
        .map(
          (p) =>
            new KafkaError(p.errorCode, {
              apiName: 'OffsetCommit',
              groupId,
              topic: t.name,
              partition: p.partitionIndex,
            }),
        ),
    );
    throwCollected('OffsetCommit failed', errors);
  });
}

export async function deleteGroups(ctx: GroupContext, groupIds: readonly string[]): Promise<void> {
  const errors: RillError[] = [];
  for (const groupId of groupIds) {
    try {
      await onCoordinator(ctx, groupId, async (connection) => {
        const response = await connection.request(ApiKey.DeleteGroups, { groupsNames: [groupId] });
        const result = response.results[0];
        if (result !== undefined && result.errorCode !== ErrorCode.NONE)
          throw new KafkaError(result.errorCode, { apiName: 'DeleteGroups', groupId });
      });
    } catch (error) {
      errors.push(
        error instanceof RillError ? error : new RillError(String(error), { retriable: false }),
      );
    }
  }
  throwCollected('DeleteGroups failed', errors);
}
