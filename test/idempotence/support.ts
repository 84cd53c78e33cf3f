import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import {
  ApiKey,
  decodeResponse,
  encodeRecordBatch,
  encodeRequest,
  InitProducerId,
  Produce,
  type ProduceResponse,
} from '@rill/protocol';
import type { Cluster } from '@rill/testkit';
import { RawKafkaClient } from '../support/raw-kafka-client.js';

const run = promisify(execFile);

export interface ProducerIdentity {
  readonly producerId: number;
  readonly producerEpoch: number;
}

/** InitProducerId v1 for an idempotent (non-transactional) producer. */
export async function initProducerId(client: RawKafkaClient, transactionalId: string | null = null) {
  return client.request(InitProducerId, 1, { transactionalId, transactionTimeoutMs: 60_000 });
}

let correlationId = 1_000;

/**
 * The bytes of one Produce v7 request carrying one idempotent batch of `values`: sending the
 * same bytes again is exactly what a producer's retry looks like on the wire.
 */
export function produceFrame(options: {
  topic: string;
  partition: number;
  identity: ProducerIdentity;
  baseSequence: number;
  values: readonly string[];
  acks?: number;
  timeoutMs?: number;
}): Buffer {
  const records = encodeRecordBatch({
    records: options.values.map((value) => ({ value, timestamp: Date.now() })),
    producerId: options.identity.producerId,
    producerEpoch: options.identity.producerEpoch,
    baseSequence: options.baseSequence,
  });
  return encodeRequest(ApiKey.Produce, 7, { correlationId: correlationId++, clientId: 'idempotence-test' }, {
    transactionalId: null,
    acks: options.acks ?? -1,
    timeoutMs: options.timeoutMs ?? 10_000,
    topicData: [{ name: options.topic, partitionData: [{ index: options.partition, records }] }],
  } as never);
}

export interface PartitionAnswer {
  readonly errorCode: number;
  readonly baseOffset: number;
}

/** Sends prepared Produce frames in one write and waits for their answers, in order. */
export async function sendFrames(client: RawKafkaClient, frames: readonly Buffer[], timeoutMs = 15_000): Promise<PartitionAnswer[]> {
  const answers = frames.map(() => client.nextFrame(timeoutMs));
  client.writeRaw(Buffer.concat(frames));
  return (await Promise.all(answers)).map((frame) => partitionAnswer(frame));
}

function partitionAnswer(frame: Buffer): PartitionAnswer {
  const body = decodeResponse(Produce.apiKey, 7, frame).body as ProduceResponse;
  const answer = body.responses[0]!.partitionResponses[0]!;
  return { errorCode: answer.errorCode, baseOffset: answer.baseOffset };
}

/** The leader of each partition of `topic`, by partition index. */
export async function leadersOf(cluster: Cluster, topic: string): Promise<number[]> {
  const admin = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return [...metadata.topics[0]!.partitions].sort((a, b) => a.partitionId - b.partitionId).map((p) => p.leader);
  } finally {
    await admin.disconnect();
  }
}

/** The high watermark of each partition of `topic` (ListOffsets latest). */
export async function highWatermarks(cluster: Cluster, topic: string): Promise<number[]> {
  const admin = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return [...offsets].sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
  } finally {
    await admin.disconnect();
  }
}

export async function createTopic(cluster: Cluster, topic: string, numPartitions: number): Promise<void> {
  const admin = new Kafka({ brokers: cluster.bootstrap, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 3 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Every value in one partition, read with kcat from the beginning to the end. */
export async function readPartition(bootstrap: string, topic: string, partition: number): Promise<string[]> {
  const { stdout } = await run('kcat', ['-b', bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-f', '%s\\n'], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30_000,
  });
  return stdout.split('\n').filter((line) => line !== '');
}

/** The sum of one metric line's values over the running nodes (a line must match `pattern` exactly). */
export async function metricSum(cluster: Cluster, pattern: RegExp): Promise<number> {
  let sum = 0;
  for (const node of cluster.running()) {
    const text = await node.metrics();
    for (const line of text.split('\n')) {
      const match = pattern.exec(line);
      if (match) sum += Number(match[1]);
    }
  }
  return sum;
}

export async function connectTo(cluster: Cluster, nodeId: number): Promise<RawKafkaClient> {
  return RawKafkaClient.connect(cluster.node(nodeId).kafkaPort);
}
