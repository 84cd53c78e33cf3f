import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@rill/protocol';
import type { Cluster } from '../cluster/cluster.js';
import { silentLogger } from '../logger.js';
import { PartitionQueue } from './accumulator.js';
import { ProducerIdentity } from './idempotence.js';
import { ProducerBatch } from './producer-batch.js';

/** A cluster that serves InitProducerId with ids 1000, 1001, … and nothing else. */
function fakeCluster(): Cluster {
  let nextId = 1000;
  const connection = { supports: () => true, addressText: 'fake:9092' };
  return {
    logger: silentLogger,
    options: { retry: { retries: 0, initialBackoffMs: 1, maxBackoffMs: 1 } },
    anyConnection: async () => connection,
    requestAny: async () => ({
      errorCode: 0,
      producerId: nextId++,
      producerEpoch: 0,
      throttleTimeMs: 0,
    }),
  } as unknown as Cluster;
}

function batchOf(records: number): ProducerBatch {
  const batch = new ProducerBatch({
    topic: 't',
    partition: 0,
    buffer: Buffer.alloc(64 * records + 100),
    nowMs: 0,
  });
  for (let i = 0; i < records; i++)
    batch.tryAppend({
      key: null,
      keyBytes: -1,
      value: 'v',
      valueBytes: 1,
      headers: [],
      headersBytes: 1,
      fixedBytes: 5,
      timestamp: 0,
    });
  return batch;
}

async function started(): Promise<ProducerIdentity> {
  const identity = new ProducerIdentity(fakeCluster());
  await identity.start('required');
  return identity;
}

describe('ProducerIdentity (KIP-98 sequence numbers)', () => {
  it('numbers batches of a partition consecutively by record count', async () => {
    const identity = await started();
    const queue = new PartitionQueue('t', 0);
    const [a, b, c] = [batchOf(3), batchOf(5), batchOf(1)];
    for (const batch of [a, b, c]) identity.assignSequence(queue, batch);
    expect([a.baseSequence, b.baseSequence, c.baseSequence]).toEqual([0, 3, 8]);
    expect(identity.batchIdentity(b)).toEqual({
      producerId: 1000,
      producerEpoch: 0,
      baseSequence: 3,
    });
    identity.assignSequence(queue, b);
    expect(b.baseSequence).toBe(3); // a retry keeps its sequence
  });

  it('wraps sequences from 2^31-1 to 0, as Kafka does', async () => {
    const identity = await started();
    const queue = new PartitionQueue('t', 0);
    queue.nextSequence = 2 ** 31 - 2;
    const [a, b] = [batchOf(3), batchOf(1)];
    identity.assignSequence(queue, a);
    identity.assignSequence(queue, b);
    expect([a.baseSequence, b.baseSequence]).toEqual([2 ** 31 - 2, 1]);
  });

  it('retries an out-of-order batch after an earlier pending one, or under a new id when the gap is real', async () => {
    const identity = await started();
    const queue = new PartitionQueue('t', 0);
    const [first, second] = [batchOf(2), batchOf(2)];
    identity.assignSequence(queue, first);
    identity.assignSequence(queue, second);
    queue.ready.push(first);
    expect(identity.judge(queue, second, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)).toBe('retry');
    queue.ready.length = 0;
    expect(identity.judge(queue, second, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)).toBe('retry');
    // Broken sequence: no sending until in-flight requests end and a new id arrives.
    let resequenced = false;
    expect(identity.ready(1, () => (resequenced = true))).toBe(false);
    expect(identity.ready(0, () => (resequenced = true))).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(resequenced).toBe(true);
    expect(identity.ready(0, () => undefined)).toBe(true);
    expect(identity.producerId).toBe(1001);
  });

  it('takes a new id when the broker forgot the producer (UNKNOWN_PRODUCER_ID) and retries', async () => {
    const identity = await started();
    const queue = new PartitionQueue('t', 0);
    const batch = batchOf(1);
    identity.assignSequence(queue, batch);
    expect(identity.judge(queue, batch, ErrorCode.UNKNOWN_PRODUCER_ID)).toBe('retry');
    expect(identity.ready(0, () => undefined)).toBe(false);
  });

  it('stays out of the way when idempotence is off', async () => {
    const identity = new ProducerIdentity(fakeCluster());
    await identity.start('off');
    const queue = new PartitionQueue('t', 0);
    const batch = batchOf(1);
    identity.assignSequence(queue, batch);
    expect(identity.batchIdentity(batch)).toEqual({
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
    });
    expect(identity.judge(queue, batch, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)).toBe('default');
  });
});
