import { ApiKey, ErrorCode } from '@rill/protocol';
import { KafkaError, RillError, throwCollected } from '../errors.js';
import type { Cluster } from './cluster.js';
import { withRetry } from './retry.js';

/** ListOffsets' special timestamps: the first offset kept, and the next offset to be written. */
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

export interface OffsetQuery {
  readonly topic: string;
  readonly partition: number;
  /** EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, or a time in ms: the first offset at or after it. */
  readonly timestamp: number;
}

export interface OffsetAnswer {
  readonly topic: string;
  readonly partition: number;
  /** -1 when a timestamp query finds no record at or after the time. */
  readonly offset: number;
  readonly timestamp: number;
}

/** Asks each partition's leader; leader moves and lost connections are retried. */
export async function listOffsets(
  cluster: Cluster,
  queries: readonly OffsetQuery[],
  isolationLevel: 0 | 1 = 0,
): Promise<OffsetAnswer[]> {
  cluster.track(new Set(queries.map((q) => q.topic)));
  const answers = new Map<string, OffsetAnswer>();
  let remaining = [...queries];
  await withRetry(
    async () => {
      if (remaining.some((q) => cluster.leaderFor(q.topic, q.partition) === undefined))
        await cluster.refreshMetadata();
      const errors: RillError[] = [];
      for (const [leader, group] of groupByLeader(cluster, remaining)) {
        try {
          await askLeader(cluster, leader, group, isolationLevel, answers);
        } catch (error) {
          errors.push(
            error instanceof RillError ? error : new RillError(String(error), { retriable: false }),
          );
        }
      }
      remaining = remaining.filter((q) => !answers.has(`${q.topic}:${q.partition}`));
      throwCollected('ListOffsets failed', errors);
    },
    cluster.options.retry,
    {
      onRetry: () =>
        cluster.refreshMetadata().then(
          () => undefined,
          () => undefined,
        ),
    },
  );
  return queries.map((q) => answers.get(`${q.topic}:${q.partition}`)!);
}

function groupByLeader(
  cluster: Cluster,
  queries: readonly OffsetQuery[],
): Map<number, OffsetQuery[]> {
  const byLeader = new Map<number, OffsetQuery[]>();
  for (const query of queries) {
    const leader = cluster.leaderFor(query.topic, query.partition);
    if (leader === undefined) {
      const code =
        cluster.metadata.topics.get(query.topic)?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      throw new KafkaError(code === ErrorCode.NONE ? ErrorCode.LEADER_NOT_AVAILABLE : code, {
        apiName: 'ListOffsets',
        topic: query.topic,
        partition: query.partition,
      });
    }
    const group = byLeader.get(leader) ?? [];
    group.push(query);
    byLeader.set(leader, group);
  }
  return byLeader;
}

async function askLeader(
  cluster: Cluster,
  leader: number,
  queries: readonly OffsetQuery[],
  isolationLevel: 0 | 1,
  answers: Map<string, OffsetAnswer>,
): Promise<void> {
  const byTopic = new Map<string, { partitionIndex: number; timestamp: number }[]>();
  for (const q of queries) {
    const list = byTopic.get(q.topic) ?? [];
    list.push({ partitionIndex: q.partition, timestamp: q.timestamp });
    byTopic.set(q.topic, list);
  }
  const connection = await cluster.nodeConnection(leader);
  const response = await connection.request(ApiKey.ListOffsets, {
    replicaId: -1,
    isolationLevel,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  });
  const errors: RillError[] = [];
  for (const topic of response.topics) {
    for (const p of topic.partitions) {
      if (p.errorCode !== ErrorCode.NONE) {
        errors.push(
          new KafkaError(p.errorCode, {
            apiName: 'ListOffsets',
            topic: topic.name,
            partition: p.partitionIndex,
          }),
        );
        continue;
      }
      answers.set(`${topic.name}:${p.partitionIndex}`, {
        topic: topic.name,
        partition: p.partitionIndex,
        offset: p.offset,
        timestamp: p.timestamp,
      });
    }
  }
  throwCollected('ListOffsets failed', errors);
}
