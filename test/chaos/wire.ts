import {
  ErrorCode,
  Fetch,
  FindCoordinator,
  Metadata,
  OffsetFetch,
  Produce,
  decodeRecordBatch,
  decodeResponse,
  encodeRecordBatch,
  encodeRequest,
  scanBatches,
  type ApiSchema,
  type RequestInput,
  type ResponseOf,
} from '@rill/protocol';
import type { ServerProcess } from '@rill/testkit';
import { RawKafkaClient } from '../support/raw-kafka-client.js';
import { partitionStates, type PartitionState } from '../support/partition-states.js';
import { recordContent, recordDigest, type ReadRecord } from './history.js';

export type { PartitionState };

/**
 * Raw Kafka requests straight to a node (never through its client proxy), each bounded in
 * time: a paused or cut-off node costs one timeout, never a hang.
 */

export type Node = Pick<ServerProcess, 'nodeId' | 'host' | 'kafkaPort'>;

let correlationId = 1;

/** One request on a fresh connection, answered within `timeoutMs` or rejected. */
export async function ask<S extends ApiSchema>(node: Node, schema: S, version: number, body: RequestInput<S>, timeoutMs: number): Promise<ResponseOf<S>> {
  const client = await connectWithin(node, timeoutMs);
  try {
    client.writeRaw(encodeRequest(schema.apiKey, version, { correlationId: correlationId++, clientId: 'rill-chaos' }, body as never));
    const frame = await client.nextFrame(timeoutMs);
    return decodeResponse(schema.apiKey, version, frame).body as ResponseOf<S>;
  } finally {
    client.close();
  }
}

async function connectWithin(node: Node, timeoutMs: number): Promise<RawKafkaClient> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection to node ${node.nodeId} within ${timeoutMs} ms`)), timeoutMs);
  });
  const connecting = RawKafkaClient.connect(node.kafkaPort, node.host);
  try {
    return await Promise.race([connecting, late]);
  } catch (error) {
    connecting.then((client) => client.close(), () => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** What `node` says about the partitions of `topic`, by partition index. */
export async function partitionsOf(node: Node, topic: string, timeoutMs: number): Promise<PartitionState[]> {
  const response = await ask(node, Metadata, 4, { topics: [{ name: topic }], allowAutoTopicCreation: false }, timeoutMs);
  const found = response.topics.find((t) => t.name === topic);
  if (found === undefined || found.errorCode !== ErrorCode.NONE) throw new Error(`node ${node.nodeId} knows no topic ${topic}`);
  return partitionStates(found.partitions);
}

/** The view every one of `nodes` gives, or null while they disagree or one does not answer. */
export async function agreedPartitions(nodes: readonly Node[], topic: string, timeoutMs: number): Promise<PartitionState[] | null> {
  if (nodes.length === 0) return null;
  const views = await Promise.all(nodes.map((node) => partitionsOf(node, topic, timeoutMs).catch(() => null)));
  if (views.some((v) => v === null)) return null;
  const first = JSON.stringify(views[0]);
  return views.every((v) => JSON.stringify(v) === first) ? views[0]! : null;
}

export interface ProduceOutcome {
  readonly errorCode: number;
  readonly baseOffset: number;
}

/** Sends one batch (not idempotent) with acks=all; the broker may wait `timeoutMs` for the ISR. */
export async function produceRecords(node: Node, topic: string, partition: number, records: readonly { id: string; timestamp: number }[], timeoutMs: number): Promise<ProduceOutcome> {
  const batch = encodeRecordBatch({ records: records.map((r) => recordContent(r.id, r.timestamp)) });
  const response = await ask(node, Produce, 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
  }, timeoutMs + 500);
  const answer = response.responses[0]!.partitionResponses[0]!;
  return { errorCode: answer.errorCode, baseOffset: answer.baseOffset };
}

export interface FetchedRecords {
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly records: readonly ReadRecord[];
  /** Batches that fail their CRC or are cut short (I12: never served). */
  readonly problems: readonly string[];
}

/** One consumer Fetch of `partition` from `offset`, records decoded and digested, CRCs checked. */
export async function fetchRecords(node: Node, topic: string, partition: number, offset: number, timeoutMs: number, maxBytes = 256 * 1024): Promise<FetchedRecords> {
  const response = await ask(node, Fetch, 11, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: maxBytes }] }],
    forgottenTopicsData: [],
    rackId: '',
  }, timeoutMs);
  const answer = response.responses[0]!.partitions[0]!;
  if (answer.errorCode !== ErrorCode.NONE) {
    return { errorCode: answer.errorCode, highWatermark: answer.highWatermark, logStartOffset: answer.logStartOffset, records: [], problems: [] };
  }
  return { errorCode: ErrorCode.NONE, highWatermark: answer.highWatermark, logStartOffset: answer.logStartOffset, ...decodeBatches(answer.records ?? Buffer.alloc(0), offset) };
}

/**
 * The records of whole batches in `bytes` at or above `from`. A Fetch answer may end with a
 * partial batch (cut at maxBytes): that is normal and ignored; a whole batch with a bad CRC
 * or header is a problem.
 */
export function decodeBatches(bytes: Buffer, from: number): { records: ReadRecord[]; problems: string[] } {
  const records: ReadRecord[] = [];
  const problems: string[] = [];
  const scan = scanBatches(bytes);
  let step = scan.next();
  while (step.done !== true) {
    const { pos, end } = step.value;
    for (const record of decodeRecordBatch(bytes.subarray(pos, end)).records) {
      if (record.offset < from) continue;
      const id = record.key?.toString() ?? null;
      records.push({ offset: record.offset, id, digest: recordDigest(record) });
    }
    step = scan.next();
  }
  const stop = step.value;
  if (stop.stop !== 'end' && stop.stop !== 'truncated') problems.push(`batch at byte ${stop.validBytes} of a fetch from ${from}: ${stop.stop}`);
  return { records, problems };
}

/** A gauge from Prometheus text (first line of that name whose labels include `labels`). */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const have = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) return Number(match[3]);
  }
  return null;
}

/** A node's /metrics text, or null when it does not answer within `timeoutMs`. */
export async function scrape(node: Pick<ServerProcess, 'host' | 'httpPort'>, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetch(`http://${node.host}:${node.httpPort}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    return await response.text();
  } catch {
    return null;
  }
}

/** The node that coordinates `group`, as `node` answers FindCoordinator. */
export async function findCoordinator(node: Node, group: string, timeoutMs: number): Promise<number> {
  const answer = await ask(node, FindCoordinator, 1, { key: group, keyType: 0 }, timeoutMs);
  if (answer.errorCode !== ErrorCode.NONE) throw new Error(`FindCoordinator: error ${answer.errorCode}`);
  return answer.nodeId;
}

/** A group's committed offsets for the partitions of `topic` (-1: none), as `coordinator` answers OffsetFetch. */
export async function committedOffsets(coordinator: Node, group: string, topic: string, partitions: number, timeoutMs: number): Promise<Map<number, number>> {
  const answer = await ask(coordinator, OffsetFetch, 5, {
    groupId: group,
    topics: [{ name: topic, partitionIndexes: Array.from({ length: partitions }, (_, p) => p) }],
  }, timeoutMs);
  if (answer.errorCode !== ErrorCode.NONE) throw new Error(`OffsetFetch: error ${answer.errorCode}`);
  const offsets = new Map<number, number>();
  for (const p of answer.topics.find((t) => t.name === topic)?.partitions ?? []) {
    if (p.errorCode !== ErrorCode.NONE) throw new Error(`OffsetFetch of partition ${p.partitionIndex}: error ${p.errorCode}`);
    offsets.set(p.partitionIndex, p.committedOffset);
  }
  return offsets;
}
