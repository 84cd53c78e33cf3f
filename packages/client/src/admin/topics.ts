import { ApiKey, ErrorCode } from '@rill/protocol';
import { DeadlineExceededError, KafkaError, RillError, throwCollected } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import type { TopicInfo } from '../cluster/metadata.js';
import { backoffMs, delay, withRetry } from '../cluster/retry.js';

export interface NewTopic {
  readonly name: string;
  /** Omitted: the broker's num.partitions. */
  readonly partitions?: number;
  /** Omitted: the broker's default.replication.factor. */
  readonly replicationFactor?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

export interface CreateTopicsOptions {
  readonly timeoutMs?: number;
  readonly validateOnly?: boolean;
  /** Treat TOPIC_ALREADY_EXISTS as success. */
  readonly ifNotExists?: boolean;
  /** Resolve only once every new partition has a leader (default true), so a produce can follow at once. */
  readonly waitForLeaders?: boolean;
}

/** CreateTopics (v4 lets the broker pick defaults with -1; older versions need numbers). */
export async function createTopics(
  cluster: Cluster,
  topics: readonly NewTopic[],
  options: CreateTopicsOptions,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadlineMs = performance.now() + timeoutMs;
  await onController(cluster, async () => {
    const connection = await cluster.controllerConnection();
    const brokerDefaults = connection.version(ApiKey.CreateTopics) >= 4 ? -1 : 1;
    const response = await connection.request(ApiKey.CreateTopics, {
      topics: topics.map((t) => ({
        name: t.name,
        numPartitions: t.partitions ?? brokerDefaults,
        replicationFactor: t.replicationFactor ?? brokerDefaults,
        assignments: [],
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs,
      validateOnly: options.validateOnly ?? false,
    });
    const errors = response.topics
      .filter((t) => t.errorCode !== ErrorCode.NONE)
      .filter((t) => !(options.ifNotExists && t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS))
      .map(
        (t) =>
          new KafkaError(t.errorCode, {
            apiName: 'CreateTopics',
            topic: t.name,
            brokerMessage: t.errorMessage,
          }),
      );
    throwCollected('CreateTopics failed', errors);
  });
  if (options.waitForLeaders !== false && options.validateOnly !== true) {
    await waitForLeaders(
      cluster,
      topics.map((t) => t.name),
      deadlineMs,
    );
  }
}

/** Polls metadata until every partition of `topics` has a leader, or the deadline passes. */
export async function waitForLeaders(
  cluster: Cluster,
  topics: readonly string[],
  deadlineMs: number,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const metadata = await cluster.describeTopics(topics);
    const waiting = topics.filter(
      (name) => !hasAllLeaders(metadata.topics.get(name), metadata.brokers),
    );
    if (waiting.length === 0) return;
    if (performance.now() >= deadlineMs) {
      throw new DeadlineExceededError(
        `topics without a leader for every partition in time: ${waiting.join(', ')}`,
      );
    }
    await delay(backoffMs({ ...cluster.options.retry, maxBackoffMs: 500 }, attempt));
  }
}

function hasAllLeaders(
  topic: TopicInfo | undefined,
  brokers: ReadonlyMap<number, unknown>,
): boolean {
  if (topic === undefined || topic.errorCode !== ErrorCode.NONE || topic.partitions.length === 0)
    return false;
  return topic.partitions.every((p) => p.leader >= 0 && brokers.has(p.leader));
}

export async function deleteTopics(
  cluster: Cluster,
  names: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  await onController(cluster, async () => {
    const connection = await cluster.controllerConnection();
    const response = await connection.request(ApiKey.DeleteTopics, {
      topicNames: [...names],
      timeoutMs,
    });
    const errors = response.responses
      .filter((t) => t.errorCode !== ErrorCode.NONE)
      .map((t) => new KafkaError(t.errorCode, { apiName: 'DeleteTopics', topic: t.name }));
    throwCollected('DeleteTopics failed', errors);
  });
}

/** CreatePartitions: grows each topic to `count` partitions in total. */
export async function createPartitions(
  cluster: Cluster,
  requests: readonly { topic: string; count: number }[],
  timeoutMs = 30_000,
): Promise<void> {
  await onController(cluster, async () => {
    const connection = await cluster.controllerConnection();
    const response = await connection.request(ApiKey.CreatePartitions, {
      topics: requests.map((r) => ({ name: r.topic, count: r.count, assignments: null })),
      timeoutMs,
      validateOnly: false,
    });
    const errors = response.results
      .filter((r) => r.errorCode !== ErrorCode.NONE)
      .map(
        (r) =>
          new KafkaError(r.errorCode, {
            apiName: 'CreatePartitions',
            topic: r.name,
            brokerMessage: r.errorMessage,
          }),
      );
    throwCollected('CreatePartitions failed', errors);
  });
}

/**
 * Runs an admin call on the controller, retrying lost connections and NOT_CONTROLLER
 * (the controller moved) after a metadata refresh.
 */
export function onController<T>(cluster: Cluster, call: () => Promise<T>): Promise<T> {
  return withRetry(call, cluster.options.retry, {
    shouldRetry: (error) => error instanceof KafkaError && error.code === ErrorCode.NOT_CONTROLLER,
    onRetry: (error) => {
      if (error instanceof RillError && error.retriable)
        return cluster.refreshMetadata().then(
          () => undefined,
          () => undefined,
        );
      return undefined;
    },
  });
}
