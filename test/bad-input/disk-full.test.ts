import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTopics, ErrorCode, Fetch, Produce, decodeRecordBatches, encodeRecordBatch } from '@rill/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@rill/testkit';
import { RawKafkaClient } from '../support/raw-kafka-client.js';

// Mounting a small tmpfs needs root, as CI runs; elsewhere this one test cannot run.
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('a full disk on append', () => {
  let mountPoint: string;
  let server: ServerProcess;

  beforeAll(async () => {
    mountPoint = await mkdtemp(join(tmpdir(), 'rill-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
    server = await ServerProcess.start({ properties: { 'log.dirs': mountPoint, 'log.index.interval.bytes': 4096 } });
  });

  afterAll(async () => {
    await server?.destroy();
    if (mountPoint) {
      execFileSync('umount', [mountPoint]);
      await rm(mountPoint, { recursive: true, force: true });
    }
  });

  async function fetchAll(client: RawKafkaClient): Promise<string[]> {
    const values: string[] = [];
    let offset = 0;
    for (;;) {
      const response = await client.request(Fetch, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 4 * 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: 'fills', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 4 * 1024 * 1024 }] }],
        forgottenTopicsData: [], rackId: '',
      });
      const partition = response.responses[0]!.partitions[0]!;
      expect(partition.errorCode).toBe(ErrorCode.NONE);
      const records = decodeRecordBatches(partition.records ?? Buffer.alloc(0));
      if (records.length === 0) return values;
      for (const record of records) values.push(record.value!.toString());
      offset = records[records.length - 1]!.offset + 1;
    }
  }

  it('answers KAFKA_STORAGE_ERROR, keeps every acknowledged batch, and serves no partial one', async () => {
    const client = await RawKafkaClient.connect(server.kafkaPort);
    await client.request(CreateTopics, 4, {
      topics: [{ name: 'fills', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000, validateOnly: false,
    });
    const acknowledged: string[] = [];
    let lastError: number = ErrorCode.NONE;
    for (let i = 0; i < 200 && lastError === ErrorCode.NONE; i++) {
      const values = Array.from({ length: 16 }, (_, j) => `${i}-${j}-${'p'.repeat(4000)}`);
      const response = await client.request(Produce, 7, {
        transactionalId: null, acks: -1, timeoutMs: 5000,
        topicData: [{ name: 'fills', partitionData: [{ index: 0, records: encodeRecordBatch({ records: values.map((v) => ({ key: null, value: Buffer.from(v), headers: [], timestamp: Date.now() })) }) }] }],
      });
      lastError = response.responses[0]!.partitionResponses[0]!.errorCode;
      if (lastError === ErrorCode.NONE) acknowledged.push(...values);
    }
    expect(lastError).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(await fetchAll(client)).toEqual(acknowledged);
    client.close();

    await server.kill();
    await server.restart();
    const again = await RawKafkaClient.connect(server.kafkaPort);
    expect(await fetchAll(again)).toEqual(acknowledged);
    again.close();
  });
});
