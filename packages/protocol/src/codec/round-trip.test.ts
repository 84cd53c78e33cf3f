import { SeededRandom } from '@rill/base';
import { describe, expect, it } from 'vitest';
import { sampleMessage } from '../testing/sample-message.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, encodeResponseChunks } from './frames.js';
import { decodeRequestHeader } from './headers.js';
import { apis } from './registry.js';

const SAMPLES_PER_VERSION = 8;

const cases = Object.values(apis).flatMap((schema) => {
  const versions: number[] = [];
  for (let v = schema.validVersions[0]; v <= schema.validVersions[1]; v++) versions.push(v);
  // A plain-number key types bodies as unknown: the samples are built from the schema itself.
  const key: number = schema.apiKey;
  return versions.map((version) => ({ key, schema, version, label: `${schema.name} v${version}` }));
});

describe('round trip of every API × version × direction', () => {
  it.each(cases)('$label request', ({ key, schema, version }) => {
    const random = new SeededRandom(schema.apiKey * 100 + version);
    for (let i = 0; i < SAMPLES_PER_VERSION; i++) {
      const body = sampleMessage(schema.request, version, random);
      const header = { correlationId: 1000 + i, clientId: i % 3 === 0 ? null : 'rill-test' };
      const frame = encodeRequest(key, version, header, body);
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);
      const decodedHeader = decodeRequestHeader(frame.subarray(4));
      expect(decodedHeader).toMatchObject({ apiKey: schema.apiKey, apiVersion: version, ...header });
      const decoded = decodeRequest(key, version, frame.subarray(4), decodedHeader.bodyOffset);
      expect(decoded).toEqual(body);
      expect(encodeRequest(key, version, header, decoded)).toEqual(frame);
    }
  });

  it.each(cases)('$label response', ({ key, schema, version }) => {
    const random = new SeededRandom(schema.apiKey * 100 + version + 50);
    for (let i = 0; i < SAMPLES_PER_VERSION; i++) {
      const body = sampleMessage(schema.response, version, random);
      const frame = encodeResponse(key, version, 77 + i, body);
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);
      const decoded = decodeResponse(key, version, frame.subarray(4));
      expect(decoded).toEqual({ correlationId: 77 + i, body });
      expect(Buffer.concat(encodeResponseChunks(key, version, 77 + i, body))).toEqual(frame);
    }
  });
});
