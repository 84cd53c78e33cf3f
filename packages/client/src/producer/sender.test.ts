import { describe, expect, it, vi } from 'vitest';
import { decodeRecordBatch, ErrorCode } from '@rill/protocol';
import type { Cluster } from '../cluster/cluster.js';
import { ConnectionError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { RecordAccumulator } from './accumulator.js';
import { ProducerIdentity } from './idempotence.js';
import { MemoryBudget } from './memory-budget.js';
import { resolveProducerOptions } from './options.js';
import { SendTracker } from './producer-batch.js';
import { fixedBytesOf } from './record-writer.js';
import { Sender } from './sender.js';

type Answer = number | 'drop';

/**
 * A one-broker cluster whose Produce answers come from a script, per request: an error
 * code for every partition, or 'drop' (the connection breaks). Records what was sent.
 */
function scriptedCluster(script: Answer[], beforeAnswer: () => Promise<void> = async () => {}) {
  const sent: { partition: number; sequence: number; values: string[] }[] = [];
  let refreshes = 0;
  const offsets = new Map<number, number>();
  const connection = {
    version: () => 7,
    async requestFrames(
      _key: number,
      _version: number,
      encode: (id: number, client: string) => Buffer[],
    ) {
      const frame = Buffer.concat(encode(1, 'test'));
      // size, api key, version, correlation id, client id 'test', null transactional id,
      // acks, timeout, 1 topic 't', 1 partition, its index and records length: 45 bytes.
      const partition = frame.readInt32BE(37);
      const { header, records } = decodeRecordBatch(frame, 45);
      sent.push({
        partition,
        sequence: header.baseSequence,
        values: records.map((r) => r.value!.toString()),
      });
      await beforeAnswer();
      const answer = script.shift() ?? ErrorCode.NONE;
      if (answer === 'drop') throw new ConnectionError('fake:9092', 'connection dropped');
      const baseOffset = offsets.get(partition) ?? 0;
      if (answer === ErrorCode.NONE) offsets.set(partition, baseOffset + records.length);
      return {
        responses: [
          { name: 't', partitionResponses: [{ index: partition, errorCode: answer, baseOffset }] },
        ],
        throttleTimeMs: 0,
      };
    },
  };
  const cluster = {
    logger: silentLogger,
    options: {
      requestTimeoutMs: 1000,
      retry: { retries: 5, initialBackoffMs: 5, maxBackoffMs: 20 },
    },
    leaderFor: () => 1,
    nodeConnection: async () => connection,
    refreshMetadata: async () => {
      refreshes++;
    },
    anyConnection: async () => ({ supports: () => true, addressText: 'fake:9092' }),
    requestAny: async () => ({ errorCode: 0, producerId: 7, producerEpoch: 0 }),
  } as unknown as Cluster;
  return { cluster, sent, refreshes: () => refreshes };
}

async function producerParts(
  cluster: Cluster,
  idempotent: boolean,
  maxInFlightRequests = 1,
  maxRequestSize?: number,
) {
  const options = resolveProducerOptions({
    brokers: ['fake:9092'],
    lingerMs: 0,
    idempotent,
    maxInFlightRequests,
    ...(maxRequestSize === undefined ? {} : { maxRequestSize, batchSize: maxRequestSize }),
  });
  const memory = new MemoryBudget(options.bufferMemoryBytes, options.batchSize);
  const identity = new ProducerIdentity(cluster);
  await identity.start(options.idempotence);
  let sender: Sender | undefined;
  const accumulator = new RecordAccumulator({
    batchSize: options.batchSize,
    compression: 'none',
    memory,
    onReady: () => sender?.wake(),
  });
  sender = new Sender({ cluster, accumulator, memory, options, identity });
  const send = (values: string[], { close = true, partition = 0 } = {}) => {
    const tracker = new SendTracker();
    const queue = accumulator.queue('t', partition);
    for (const value of values) {
      accumulator.tryAppend(
        queue,
        {
          key: null,
          keyBytes: -1,
          value,
          valueBytes: value.length,
          headers: [],
          headersBytes: 1,
          fixedBytes: fixedBytesOf(-1, value.length, 1),
          timestamp: 0,
        },
        tracker,
        performance.now(),
      );
    }
    if (close) accumulator.close(queue);
    tracker.sealed();
    sender!.wake();
    return tracker.promise;
  };
  return { send, sender, memory };
}

describe('Sender', () => {
  it('retries a NOT_LEADER_OR_FOLLOWER batch after a metadata refresh, on its own backoff timer', async () => {
    const { cluster, sent, refreshes } = scriptedCluster([ErrorCode.NOT_LEADER_OR_FOLLOWER]);
    const { send, memory } = await producerParts(cluster, false);
    const results = await send(['a', 'b']);
    expect(results).toEqual([{ topic: 't', partition: 0, baseOffset: 0, recordCount: 2 }]);
    expect(sent.map((s) => s.values)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(refreshes()).toBeGreaterThanOrEqual(1);
    expect(memory.usedBytes).toBe(0);
  });

  it('keeps filling a lingered batch while the leader has no room, then sends it whole', async () => {
    let answerFirst!: () => void;
    const firstAnswered = new Promise<void>((go) => (answerFirst = go));
    const { cluster, sent } = scriptedCluster([], () => firstAnswered);
    const { send } = await producerParts(cluster, false);
    const first = send(['a'], { close: false });
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    const later: Promise<unknown>[] = [];
    for (const value of ['b', 'c', 'd']) {
      later.push(send([value], { close: false }));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    answerFirst();
    await Promise.all([first, ...later]);
    expect(sent.map((s) => s.values)).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('starts each request at the next partition, so none waits behind the others', async () => {
    let answerFirst!: () => void;
    const firstAnswered = new Promise<void>((go) => (answerFirst = go));
    const { cluster, sent } = scriptedCluster([], () => firstAnswered);
    // A request holds one of these batches only, so it has to choose a partition.
    const { send } = await producerParts(cluster, false, 1, 16 * 1024);
    const big = (label: string) => label.padEnd(9000, '.');
    const sends = [send([big('0a')], { partition: 0 })];
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    for (const label of ['b', 'c']) {
      sends.push(send([big(`0${label}`)], { partition: 0 }));
      sends.push(send([big(`1${label}`)], { partition: 1 }));
    }
    answerFirst();
    await Promise.all(sends);
    expect(sent.map((s) => s.partition)).toEqual([0, 1, 0, 1, 0]);
  });

  it('fails a batch on an error retrying cannot fix, and frees its memory', async () => {
    const { cluster } = scriptedCluster([ErrorCode.MESSAGE_TOO_LARGE]);
    const { send, memory } = await producerParts(cluster, false);
    await expect(send(['x'])).rejects.toMatchObject({
      name: 'MESSAGE_TOO_LARGE',
      retriable: false,
    });
    expect(memory.usedBytes).toBe(0);
  });

  it('resends idempotent batches with their original sequences, in order, after a dropped connection', async () => {
    // Both batches in flight; the first never arrives, so the broker refuses the second.
    const { cluster, sent } = scriptedCluster(['drop', ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER]);
    const { send } = await producerParts(cluster, true, 2);
    const [first, second] = await Promise.all([send(['a', 'b']), send(['c'])]);
    expect(first[0]!.baseOffset).toBe(0);
    expect(second[0]!.baseOffset).toBe(2);
    // Every attempt keeps its sequence, and the retries go one at a time, 0 before 2.
    expect(sent.map((s) => s.sequence)).toEqual([0, 2, 0, 2]);
  });

  it('numbers again from 0 under a new producer id once a sequenced batch fails for good', async () => {
    // The broker refuses the first batch for good, leaving a gap it refuses the second batch
    // for; the second is not lost but sent again as sequence 0.
    const { cluster, sent } = scriptedCluster([
      ErrorCode.MESSAGE_TOO_LARGE,
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    ]);
    const { send } = await producerParts(cluster, true, 2);
    const [first, second] = await Promise.allSettled([send(['a', 'b']), send(['c'])]);
    expect(first).toMatchObject({ status: 'rejected', reason: { name: 'MESSAGE_TOO_LARGE' } });
    expect(second).toMatchObject({ status: 'fulfilled', value: [{ baseOffset: 0 }] });
    expect(sent.map((s) => s.sequence)).toEqual([0, 2, 0]);
  });

  it('sends the batch after one that failed for good as sequence 0, not into the gap', async () => {
    const { cluster, sent } = scriptedCluster([ErrorCode.MESSAGE_TOO_LARGE]);
    const { send } = await producerParts(cluster, true);
    await expect(send(['a', 'b'])).rejects.toMatchObject({ name: 'MESSAGE_TOO_LARGE' });
    await expect(send(['c'])).resolves.toMatchObject([{ baseOffset: 0 }]);
    expect(sent.map((s) => s.sequence)).toEqual([0, 0]);
  });
});
