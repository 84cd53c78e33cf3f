import {
  CreateTopics,
  ErrorCode,
  Fetch,
  Metadata,
  Produce,
  decodeRecordBatches,
  decodeResponse,
  encodeRecordBatch,
  type RequestInput,
  type ResponseOf,
} from '@rill/protocol';
import { waitFor, type ServerProcess } from '@rill/testkit';
import { RawKafkaClient } from '../../support/raw-kafka-client.js';
import { partitionStates, type PartitionState } from '../../support/partition-states.js';

export type { PartitionState };

/**
 * Raw Kafka requests for the replication tests: one short-lived connection per question, so a
 * dead or paused broker costs one failed call and never a confused connection.
 */

export type TopicView = readonly PartitionState[];

const requestTimeoutMs = 5000;

/** Runs `use` on a fresh connection to `node`, closed afterwards whatever happens. */
export async function withConnection<T>(node: ServerProcess, use: (client: RawKafkaClient) => Promise<T>): Promise<T> {
  const client = await RawKafkaClient.connect(node.kafkaPort, node.host);
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

/** What one broker says about a topic's partitions, sorted by partition. */
export async function topicView(node: ServerProcess, topic: string): Promise<TopicView> {
  const response = await withConnection(node, (client) =>
    client.request(Metadata, 4, { topics: [{ name: topic }], allowAutoTopicCreation: false }),
  );
  const found = response.topics.find((t) => t.name === topic);
  if (found === undefined || found.errorCode !== ErrorCode.NONE) {
    throw new Error(`node ${node.nodeId} knows no topic ${topic} (error ${found?.errorCode})`);
  }
  return partitionStates(found.partitions);
}

/**
 * Creates a topic once every broker in `nodes` has registered (each lists them all in its
 * Metadata answer), so the replicas are placed over all of them.
 */
export async function createTopic(nodes: readonly ServerProcess[], topic: string, partitions: number, replicationFactor: number): Promise<void> {
  await waitFor(
    async () => {
      const counts = await Promise.all(
        nodes.map((node) =>
          withConnection(node, (client) => client.request(Metadata, 4, { topics: [], allowAutoTopicCreation: false })).then(
            (response) => response.brokers.length,
            () => 0,
          ),
        ),
      );
      return counts.every((count) => count === nodes.length);
    },
    { timeoutMs: 20_000, intervalMs: 100, description: `all ${nodes.length} brokers to be registered` },
  );
  const response = await withConnection(nodes[0]!, (client) =>
    client.request(CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: partitions, replicationFactor, assignments: [], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    }),
  );
  const errorCode = response.topics[0]!.errorCode;
  if (errorCode !== ErrorCode.NONE) throw new Error(`creating ${topic} failed with error ${errorCode}`);
}

/** The view every one of `nodes` gives, or null while they disagree or one cannot answer. */
export async function agreedView(nodes: readonly ServerProcess[], topic: string): Promise<TopicView | null> {
  const views = await Promise.all(nodes.map((node) => topicView(node, topic).catch(() => null)));
  if (views.length === 0 || views.some((v) => v === null)) return null;
  const first = JSON.stringify(views[0]);
  return views.every((v) => JSON.stringify(v) === first) ? views[0]! : null;
}

/** Waits until `nodes` agree on a view of `topic` that satisfies `accept`. */
export function waitForView(
  nodes: () => readonly ServerProcess[],
  topic: string,
  accept: (view: TopicView) => boolean,
  options: { timeoutMs: number; description: string },
): Promise<TopicView> {
  return waitFor(
    async () => {
      const view = await agreedView(nodes(), topic);
      return view !== null && accept(view) ? view : null;
    },
    { ...options, intervalMs: 100 },
  );
}

/** Every partition has a leader and its whole replica set in the ISR. */
export function fullyInSync(view: TopicView): boolean {
  return view.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length);
}

export function describeView(view: TopicView | null): string {
  if (view === null) return 'no agreed view';
  return view.map((p) => `p${p.partition}: leader ${p.leader} isr [${p.isr.join(',')}]`).join('; ');
}

export interface ProduceOutcome {
  readonly errorCode: number;
  readonly baseOffset: number;
}

/** The bytes of one Produce v7 request, for tests that must write to a socket before awaiting. */
export function produceBody(
  topic: string,
  partition: number,
  acks: number,
  values: readonly string[],
  timeoutMs = requestTimeoutMs,
): RequestInput<typeof Produce> {
  const records = encodeRecordBatch({
    records: values.map((value) => ({ value: Buffer.from(value), timestamp: Date.now() })),
  });
  return { transactionalId: null, acks, timeoutMs, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
}

/** Sends one batch of `values` to `partition` on an open connection; acks 1 or -1. */
export async function produceOn(
  client: RawKafkaClient,
  topic: string,
  partition: number,
  acks: number,
  values: readonly string[],
): Promise<ProduceOutcome> {
  const response = await client.request(Produce, 7, produceBody(topic, partition, acks, values));
  const answer = response.responses[0]!.partitionResponses[0]!;
  return { errorCode: answer.errorCode, baseOffset: answer.baseOffset };
}

export function produceTo(node: ServerProcess, topic: string, partition: number, acks: number, values: readonly string[]): Promise<ProduceOutcome> {
  return withConnection(node, (client) => produceOn(client, topic, partition, acks, values));
}

/**
 * Like produceTo, with the broker's timeout set to `timeoutMs` and the wait for the answer
 * bounded a little above it (a paused broker never answers).
 */
export function produceWithin(
  node: ServerProcess,
  topic: string,
  partition: number,
  acks: number,
  values: readonly string[],
  timeoutMs: number,
): Promise<ProduceOutcome> {
  return withConnection(node, async (client) => {
    client.send(Produce, 7, produceBody(topic, partition, acks, values, timeoutMs));
    const frame = await client.nextFrame(timeoutMs + 2000);
    const response = decodeResponse(Produce.apiKey, 7, frame).body as ResponseOf<typeof Produce>;
    const answer = response.responses[0]!.partitionResponses[0]!;
    return { errorCode: answer.errorCode, baseOffset: answer.baseOffset };
  });
}

export interface ReadRecord {
  readonly offset: number;
  readonly value: string;
}

export interface FetchAnswer {
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly records: readonly ReadRecord[];
}

/** One consumer Fetch (v11, no wait) of `partition` from `offset` on `node`. */
export async function fetchOnce(node: ServerProcess, topic: string, partition: number, offset: number): Promise<FetchAnswer> {
  const response = await withConnection(node, (client) =>
    client.request(Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 1024 * 1024 }] }],
      forgottenTopicsData: [],
      rackId: '',
    }),
  );
  const answer = response.responses[0]!.partitions[0]!;
  if (answer.errorCode !== ErrorCode.NONE || answer.records === null) {
    return { errorCode: answer.errorCode, highWatermark: answer.highWatermark, records: [] };
  }
  const records = decodeRecordBatches(answer.records)
    .filter((r) => r.offset >= offset)
    .map((r) => ({ offset: r.offset, value: r.value?.toString() ?? '' }));
  return { errorCode: ErrorCode.NONE, highWatermark: answer.highWatermark, records };
}

export interface PartitionRead {
  readonly highWatermark: number;
  readonly records: readonly ReadRecord[];
}

/** Reads `partition` from offset 0 up to its high watermark on its leader `node`. */
export async function readWholePartition(node: ServerProcess, topic: string, partition: number): Promise<PartitionRead> {
  const records: ReadRecord[] = [];
  const deadline = Date.now() + 30_000;
  let offset = 0;
  let highWatermark = -1;
  for (let round = 0; round < 100_000; round++) {
    const answer = await fetchOnce(node, topic, partition, offset);
    if (answer.errorCode !== ErrorCode.NONE) {
      throw new Error(`fetch of ${topic}-${partition} at ${offset} from node ${node.nodeId} failed with error ${answer.errorCode}`);
    }
    highWatermark = Math.max(highWatermark, answer.highWatermark);
    if (offset >= highWatermark) return { highWatermark, records };
    if (answer.records.length === 0) throw new Error(`fetch of ${topic}-${partition} at ${offset} returned nothing below the high watermark ${highWatermark}`);
    records.push(...answer.records);
    offset = answer.records[answer.records.length - 1]!.offset + 1;
    if (Date.now() > deadline) break;
  }
  throw new Error(`reading ${topic}-${partition} from node ${node.nodeId} did not reach the high watermark ${highWatermark} (at ${offset})`);
}

/** A gauge or counter from Prometheus text; labels must match exactly the ones given. */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | null {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const have = (match[2] ?? '')
      .split(',')
      .filter((s) => s.length > 0)
      .sort()
      .join(',');
    if (have === want) return Number(match[3]);
  }
  return null;
}

export async function metricOf(node: ServerProcess, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number | null> {
  return metricValue(await node.metrics(), name, labels);
}
