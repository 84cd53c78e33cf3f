#!/usr/bin/env node
/**
 * Captures golden request frames from real clients (kcat/librdkafka and kafkajs).
 *
 * Starts a minimal responder on 127.0.0.1 that answers with our own codec (one topic,
 * `golden`, partition 0 led by node 1), drives the clients against it, records every request
 * frame it receives and writes src/fixtures/golden-requests.json. Run after building:
 *
 *   node node_modules/typescript/bin/tsc -b packages/protocol
 *   node packages/protocol/scripts/capture-golden.mjs
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ApiKey, apis, decodeRequest, decodeRequestHeader, encodeResponse } from '../dist/index.js';

const NODE_ID = 1;
const OUTPUT = fileURLToPath(new URL('../src/fixtures/golden-requests.json', import.meta.url));
const captured = [];
const knownTopics = new Set(['golden']);
let currentClient = 'none';
let nextOffset = 0;

const partitionMetadata = { errorCode: 0, partitionIndex: 0, leaderId: NODE_ID, replicaNodes: [NODE_ID], isrNodes: [NODE_ID] };
const topicMetadata = (name) => ({ errorCode: 0, name, partitions: [partitionMetadata] });

/** The body answering one request, or undefined for "no response" (acks=0). */
function answer(apiKey, version, request, port) {
  switch (apiKey) {
    case ApiKey.ApiVersions:
      return {
        errorCode: 0,
        apiKeys: Object.values(apis).map((s) => ({ apiKey: s.apiKey, minVersion: s.validVersions[0], maxVersion: s.validVersions[1] })),
      };
    case ApiKey.Metadata: {
      const names = request.topics === null || request.topics.length === 0 ? [...knownTopics] : request.topics.map((t) => t.name);
      return {
        brokers: [{ nodeId: NODE_ID, host: '127.0.0.1', port }],
        clusterId: 'golden-cluster',
        controllerId: NODE_ID,
        topics: names.map(topicMetadata),
      };
    }
    case ApiKey.Produce:
      if (request.acks === 0) return undefined;
      return {
        responses: request.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: 0, baseOffset: nextOffset++ })),
        })),
      };
    case ApiKey.ListOffsets:
      return {
        topics: request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1, offset: 0 })),
        })),
      };
    case ApiKey.Fetch:
      // High watermark = fetch offset: the consumer sees the end of the partition at once.
      return {
        responses: request.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partition, errorCode: 0, highWatermark: p.fetchOffset,
            lastStableOffset: p.fetchOffset, logStartOffset: 0, abortedTransactions: [], records: Buffer.alloc(0),
          })),
        })),
      };
    case ApiKey.CreateTopics:
      request.topics.forEach((t) => knownTopics.add(t.name));
      return { topics: request.topics.map((t) => ({ name: t.name, errorCode: 0 })) };
    case ApiKey.DeleteTopics:
      request.topicNames.forEach((name) => knownTopics.delete(name));
      return { responses: request.topicNames.map((name) => ({ name, errorCode: 0 })) };
    default:
      throw new Error(`no golden answer for api ${apiKey}`);
  }
}

function respond(frame, socket, port) {
  const header = decodeRequestHeader(frame);
  captured.push({ client: currentClient, apiKey: header.apiKey, version: header.apiVersion, hex: frame.toString('hex') });
  const schema = apis[header.apiKey];
  if (header.apiKey === ApiKey.ApiVersions && header.apiVersion > schema.validVersions[1]) {
    // KIP-511: an unknown ApiVersions version gets a v0 body with UNSUPPORTED_VERSION.
    const body = { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] };
    return socket.write(encodeResponse(ApiKey.ApiVersions, 0, header.correlationId, body));
  }
  const request = decodeRequest(header.apiKey, header.apiVersion, frame, header.bodyOffset);
  const body = answer(header.apiKey, header.apiVersion, request, port);
  if (body !== undefined) socket.write(encodeResponse(header.apiKey, header.apiVersion, header.correlationId, body));
}

function startResponder() {
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        respond(pending.subarray(4, 4 + size), socket, server.address().port);
        pending = pending.subarray(4 + size);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Runs kcat without blocking the event loop: the responder lives in this process. */
function kcat(broker, args, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', broker, ...args], { stdio: ['pipe', 'ignore', 'inherit'], timeout: 30_000 });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat ${args.join(' ')} exited ${code}`))));
    child.stdin.end(input);
  });
}

async function runKcat(broker) {
  currentClient = 'kcat';
  await kcat(broker, ['-L', '-m', '10']);
  const produce = ['-P', '-t', 'golden', '-p', '0', '-K:', '-H', 'k=v', '-H', 'trace=1', '-X', 'message.timeout.ms=10000'];
  await kcat(broker, produce, 'k1:v1\nk2:v2\n');
  await kcat(broker, ['-C', '-t', 'golden', '-p', '0', '-o', 'beginning', '-e', '-q']);
}

async function runKafkajs(broker) {
  currentClient = 'kafkajs';
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'golden-kafkajs', brokers: [broker], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'golden-admin', numPartitions: 1, replicationFactor: 1 }] });
  await admin.fetchTopicOffsets('golden');
  await admin.deleteTopics({ topics: ['golden-admin'] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const messages = [{ key: 'k1', value: 'v1', headers: { k: 'v' } }, { key: 'k2', value: 'v2' }];
  await producer.send({ topic: 'golden', acks: -1, messages });
  await producer.send({ topic: 'golden', acks: 1, messages: [{ key: null, value: 'v3' }] });
  await producer.disconnect();
}

const server = await startResponder();
const broker = `127.0.0.1:${server.address().port}`;
try {
  await runKcat(broker);
  await runKafkajs(broker);
} finally {
  server.close();
}
const unique = [...new Map(captured.map((c) => [`${c.client}:${c.hex.slice(16)}`, c])).values()];
writeFileSync(OUTPUT, JSON.stringify(unique, null, 2) + '\n');
console.log(`wrote ${unique.length} frames (${captured.length} captured) to ${OUTPUT}`);
process.exit(0);
