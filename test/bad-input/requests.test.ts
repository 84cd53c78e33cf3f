import { CreateTopics, ErrorCode, Fetch, Metadata, Produce, encodeRecordBatch } from '@rill/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@rill/testkit';
import { RawKafkaClient } from '../support/raw-kafka-client.js';

const maxMessageBytes = 64 * 1024;

function batch(values: string[]): Buffer {
  return encodeRecordBatch({
    records: values.map((value, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(value), headers: [], timestamp: Date.now() })),
  });
}

describe('bad requests get the error code Kafka sends', () => {
  let server: ServerProcess;
  let client: RawKafkaClient;

  beforeAll(async () => {
    server = await ServerProcess.start({
      properties: { 'auto.create.topics.enable': false, 'message.max.bytes': maxMessageBytes },
    });
    client = await RawKafkaClient.connect(server.kafkaPort);
    const created = await client.request(CreateTopics, 4, {
      topics: [{ name: 'events', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
  });

  afterAll(async () => {
    client?.close();
    await server?.destroy();
  });

  async function produce(topic: string, records: Buffer, acks = -1): Promise<number> {
    const response = await client.request(Produce, 7, {
      transactionalId: null,
      acks,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    });
    return response.responses[0]!.partitionResponses[0]!.errorCode;
  }

  it('accepts a good batch', async () => {
    expect(await produce('events', batch(['a', 'b']))).toBe(ErrorCode.NONE);
  });

  it('answers CORRUPT_MESSAGE to a CRC mismatch and stores nothing', async () => {
    const bad = batch(['will be damaged']);
    bad[bad.length - 1]! ^= 0xff;
    expect(await produce('events', bad)).toBe(ErrorCode.CORRUPT_MESSAGE);
    const truncated = batch(['cut short']).subarray(0, 40);
    expect(await produce('events', truncated)).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('answers INVALID_RECORD to a batch of magic 1', async () => {
    const old = batch(['old format']);
    old[16] = 1;
    expect(await produce('events', old)).toBe(ErrorCode.INVALID_RECORD);
  });

  it('answers MESSAGE_TOO_LARGE to a batch over message.max.bytes', async () => {
    expect(await produce('events', batch(['x'.repeat(maxMessageBytes + 1)]))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it('answers INVALID_REQUIRED_ACKS to acks=2', async () => {
    expect(await produce('events', batch(['a']), 2)).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for an unknown topic when auto-creation is off', async () => {
    expect(await produce('no-such-topic', batch(['a']))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const metadata = await client.request(Metadata, 4, { topics: [{ name: 'no-such-topic' }], allowAutoTopicCreation: true });
    expect(metadata.topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('answers INVALID_TOPIC_EXCEPTION for an illegal topic name', async () => {
    const names = ['..', 'a/b', 'x'.repeat(250), 'spaces are bad'];
    const created = await client.request(CreateTopics, 4, {
      topics: names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(created.topics.map((t) => t.errorCode)).toEqual(names.map(() => ErrorCode.INVALID_TOPIC_EXCEPTION));
    const metadata = await client.request(Metadata, 4, { topics: [{ name: 'a/b' }], allowAutoTopicCreation: true });
    expect(metadata.topics[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('answers INVALID_TOPIC_EXCEPTION to a client producing to an internal topic', async () => {
    const created = await client.request(CreateTopics, 4, {
      topics: [{ name: '__internal_probe', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(await produce('__internal_probe', batch(['forged group state']))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('answers CreateTopics mistakes with their codes', async () => {
    const created = await client.request(CreateTopics, 4, {
      topics: [
        { name: 'events', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'zero', numPartitions: 0, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'wide', numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] },
        { name: 'conf', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'no.such', value: '1' }] },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(created.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['events', ErrorCode.TOPIC_ALREADY_EXISTS],
      ['zero', ErrorCode.INVALID_PARTITIONS],
      ['wide', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['conf', ErrorCode.INVALID_CONFIG],
    ]);
  });

  it('answers OFFSET_OUT_OF_RANGE to a fetch beyond the log end', async () => {
    const response = await client.request(Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 'events', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 1_000_000, logStartOffset: -1, partitionMaxBytes: 1024 * 1024 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    expect(response.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('still serves well after all of the above', async () => {
    expect(await produce('events', batch(['after']))).toBe(ErrorCode.NONE);
    expect(await server.ready()).toBe(true);
  });
});
