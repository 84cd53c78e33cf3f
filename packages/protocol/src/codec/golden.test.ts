import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProduceRequest } from '../messages/produce.js';
import { decodeRecordBatches } from '../records/record-codec.js';
import { validateBatches } from '../records/validate.js';
import { decodeRequest, encodeRequest } from './frames.js';
import { decodeRequestHeader } from './headers.js';
import { ApiKey, getApi, isFlexibleVersion } from './registry.js';

/** Request frames (without size prefix) captured from kcat and kafkajs by scripts/capture-golden.mjs. */
interface GoldenFrame {
  client: 'kcat' | 'kafkajs';
  apiKey: number;
  version: number;
  hex: string;
}

const goldenFrames: GoldenFrame[] = JSON.parse(
  readFileSync(new URL('../fixtures/golden-requests.json', import.meta.url), 'utf8'),
);

const cases = goldenFrames.map((g, i) => ({ ...g, label: `#${i} ${g.client} ${getApi(g.apiKey)?.name} v${g.version}` }));

function decode(g: GoldenFrame) {
  const frame = Buffer.from(g.hex, 'hex');
  const header = decodeRequestHeader(frame);
  return { frame, header, body: decodeRequest(header.apiKey, header.apiVersion, frame, header.bodyOffset) };
}

describe('golden request frames from real clients', () => {
  it('covers the APIs both clients use', () => {
    const seen = new Set(goldenFrames.map((g) => `${g.client}:${g.apiKey}`));
    for (const key of [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.ListOffsets]) {
      expect(seen).toContain(`kcat:${key}`);
      expect(seen).toContain(`kafkajs:${key}`);
    }
    expect(seen).toContain(`kcat:${ApiKey.Fetch}`);
    expect(seen).toContain(`kafkajs:${ApiKey.CreateTopics}`);
    expect(seen).toContain(`kafkajs:${ApiKey.DeleteTopics}`);
  });

  it.each(cases)('$label decodes and re-encodes byte for byte', (g) => {
    const { frame, header, body } = decode(g);
    expect(header).toMatchObject({ apiKey: g.apiKey, apiVersion: g.version });
    const again = encodeRequest(header.apiKey, header.apiVersion, header, body).subarray(4);
    const schema = getApi(g.apiKey)!;
    // Flexible frames may legally carry tags we do not keep; non-flexible ones must match exactly.
    if (!isFlexibleVersion(schema, g.version)) expect(again.toString('hex')).toBe(frame.toString('hex'));
    else expect(decodeRequest(header.apiKey, header.apiVersion, again, header.bodyOffset)).toEqual(body);
  });

  it('Produce frames carry valid record batches with the produced keys and headers', () => {
    for (const g of goldenFrames.filter((f) => f.apiKey === ApiKey.Produce)) {
      const { body } = decode(g);
      const produce = body as ProduceRequest;
      expect([-1, 1]).toContain(produce.acks);
      expect(produce.topicData[0]!.name).toBe('golden');
      const records = produce.topicData[0]!.partitionData[0]!.records!;
      expect(validateBatches(records, { maxBatchBytes: 1 << 20 })).toMatchObject({ ok: true, batchCount: 1 });
      const keys = decodeRecordBatches(records).map((r) => r.key?.toString() ?? null);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.every((k) => k === null || /^k\d$/.test(k))).toBe(true);
    }
    const kcatProduce = goldenFrames.find((f) => f.client === 'kcat' && f.apiKey === ApiKey.Produce)!;
    const kcatBody = decode(kcatProduce).body as { topicData: { partitionData: { records: Buffer }[] }[] };
    const [first] = decodeRecordBatches(kcatBody.topicData[0]!.partitionData[0]!.records);
    expect(first!.headers.map((h) => [h.key, h.value?.toString()])).toEqual([['k', 'v'], ['trace', '1']]);
  });

  it('ApiVersions and admin frames carry the expected fields', () => {
    const byKey = (client: string, key: number) => goldenFrames.filter((f) => f.client === client && f.apiKey === key).map((f) => decode(f));
    const [kcatVersions] = byKey('kcat', ApiKey.ApiVersions);
    expect(kcatVersions!.header.apiVersion).toBe(3);
    expect(kcatVersions!.body).toMatchObject({ clientSoftwareName: 'librdkafka' });
    expect(byKey('kafkajs', ApiKey.CreateTopics)[0]!.body).toMatchObject({
      topics: [{ name: 'golden-admin', numPartitions: 1, replicationFactor: 1 }],
    });
    expect(byKey('kafkajs', ApiKey.DeleteTopics)[0]!.body).toMatchObject({ topicNames: ['golden-admin'] });
    expect(byKey('kcat', ApiKey.Fetch)[0]!.body).toMatchObject({ topics: [{ topic: 'golden' }] });
  });
});
