import { ApiVersions, ErrorCode, Metadata, decodeResponse } from '@rill/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@rill/testkit';
import { RawKafkaClient } from '../support/raw-kafka-client.js';

/** A request frame: size, then api key, version, correlation id, client id and a body. */
function rawRequest(options: { apiKey: number; version: number; body?: Buffer; clientIdLength?: number }): Buffer {
  const header = Buffer.alloc(10);
  header.writeInt16BE(options.apiKey, 0);
  header.writeInt16BE(options.version, 2);
  header.writeInt32BE(7, 4);
  header.writeInt16BE(options.clientIdLength ?? 0, 8);
  const frame = Buffer.concat([header, options.body ?? Buffer.alloc(0)]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length);
  return Buffer.concat([size, frame]);
}

describe('bad framing and headers on the Kafka listener', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start({
      properties: { 'socket.request.max.bytes': 1024 * 1024, 'connections.max.idle.ms': 1500 },
    });
  });

  afterAll(async () => {
    await server?.destroy();
  });

  /** The node is still up and a well-behaved client still gets answers. */
  async function expectStillServing(): Promise<void> {
    expect(await server.ready()).toBe(true);
    const client = await RawKafkaClient.connect(server.kafkaPort);
    const response = await client.request(Metadata, 4, { topics: [], allowAutoTopicCreation: false });
    expect(response.brokers.map((b) => b.nodeId)).toEqual([1]);
    client.close();
  }

  async function expectClosedAfter(bytes: Buffer): Promise<void> {
    const client = await RawKafkaClient.connect(server.kafkaPort);
    client.writeRaw(bytes);
    expect(await client.waitClosed()).toBe(true);
    await expectStillServing();
  }

  it('closes on a frame larger than socket.request.max.bytes, before allocating it', async () => {
    const size = Buffer.alloc(4);
    size.writeInt32BE(1024 * 1024 + 1);
    await expectClosedAfter(size);
  });

  it('closes on a negative length, a zero length and non-Kafka protocols', async () => {
    await expectClosedAfter(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await expectClosedAfter(Buffer.from([0, 0, 0, 0]));
    await expectClosedAfter(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await expectClosedAfter(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]));
  });

  it('survives a truncated frame followed by a hang-up', async () => {
    const client = await RawKafkaClient.connect(server.kafkaPort);
    client.writeRaw(rawRequest({ apiKey: 3, version: 4, body: Buffer.alloc(40) }).subarray(0, 20));
    client.socket.end();
    await client.waitClosed();
    await expectStillServing();
  });

  it('closes on negative or absurd lengths inside a request', async () => {
    await expectClosedAfter(rawRequest({ apiKey: 3, version: 4, clientIdLength: -2 }));
    await expectClosedAfter(rawRequest({ apiKey: 3, version: 4, clientIdLength: 30000 }));
    const hugeArray = Buffer.alloc(40);
    hugeArray.writeInt32BE(0x7fffffff, 0);
    await expectClosedAfter(rawRequest({ apiKey: 3, version: 4, body: hugeArray }));
  });

  it('closes on an unknown API key', async () => {
    await expectClosedAfter(rawRequest({ apiKey: 9999, version: 0 }));
  });

  it('closes on an unsupported version of an API other than ApiVersions', async () => {
    await expectClosedAfter(rawRequest({ apiKey: 0, version: 99 }));
    await expectClosedAfter(rawRequest({ apiKey: 0, version: 2, body: Buffer.alloc(16) }));
    await expectClosedAfter(rawRequest({ apiKey: 1, version: 3, body: Buffer.alloc(16) }));
  });

  it('answers ApiVersions of an unknown version with UNSUPPORTED_VERSION and its ranges', async () => {
    const client = await RawKafkaClient.connect(server.kafkaPort);
    client.writeRaw(rawRequest({ apiKey: 18, version: 99 }));
    const response = decodeResponse(ApiVersions.apiKey, 0, await client.nextFrame()).body;
    expect(response.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(response.apiKeys.find((k) => k.apiKey === 18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
    expect(response.apiKeys.find((k) => k.apiKey === 0)).toEqual({ apiKey: 0, minVersion: 0, maxVersion: 7 });
    client.close();
  });

  it('closes a connection that sends nothing, after connections.max.idle.ms', async () => {
    const client = await RawKafkaClient.connect(server.kafkaPort);
    expect(await client.waitClosed(10_000)).toBe(true);
    await expectStillServing();
  });
});
