import { CreateTopics, ErrorCode, Fetch, Produce, encodeRecordBatch, encodeRequest } from '@rill/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, waitFor } from '@rill/testkit';
import { RawKafkaClient } from '../support/raw-kafka-client.js';

function residentBytes(metrics: string): number {
  const match = /^process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(metrics);
  if (!match) throw new Error('process_resident_memory_bytes missing from /metrics');
  return Number(match[1]);
}

describe('a client that never reads its responses', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start({ nodeArgs: ['--max-old-space-size=256'] });
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('cannot grow the node without bound, and other clients are still served', async () => {
    const setup = await RawKafkaClient.connect(server.kafkaPort);
    await setup.request(CreateTopics, 4, {
      topics: [{ name: 'big', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const value = Buffer.alloc(1000, 7);
    const records = encodeRecordBatch({
      records: Array.from({ length: 900 }, () => ({ key: null, value, headers: [], timestamp: Date.now() })),
    });
    for (let i = 0; i < 4; i++) {
      const produced = await setup.request(Produce, 7, {
        transactionalId: null, acks: 1, timeoutMs: 5000,
        topicData: [{ name: 'big', partitionData: [{ index: 0, records }] }],
      });
      expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    }
    const before = residentBytes(await server.metrics());

    // 600 pipelined fetches of ~3.6 MB each: about 2 GB of responses if the node buffered them.
    const fetchFrame = (correlationId: number): Buffer => encodeRequest(Fetch.apiKey, 11, { correlationId, clientId: 'never-reads' }, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 8 * 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'big', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 8 * 1024 * 1024 }] }],
      forgottenTopicsData: [], rackId: '',
    } as never);
    const greedy = await RawKafkaClient.connect(server.kafkaPort);
    greedy.socket.pause();
    for (let i = 0; i < 600; i++) greedy.writeRaw(fetchFrame(i + 1));

    // Let the node take in what it will; then it must have stopped reading, not ballooned.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = residentBytes(await server.metrics());
    // Buffered, this would be ~2 GB; bounded, it is the pending-response cap plus a few reads.
    expect(after - before).toBeLessThan(64 * 1024 * 1024);

    const other = await RawKafkaClient.connect(server.kafkaPort);
    const produced = await other.request(Produce, 7, {
      transactionalId: null, acks: 1, timeoutMs: 5000,
      topicData: [{ name: 'big', partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from('still here'), headers: [], timestamp: Date.now() }] }) }] }],
    });
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    greedy.close();
    other.close();
    setup.close();
    await waitFor(() => server.ready(), { timeoutMs: 5000, description: 'the node to stay ready' });
  });
});
