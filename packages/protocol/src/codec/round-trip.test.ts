import { SeededRandom } from '@rill/base';
import { describe, expect, it } from 'vitest';
import { sampleMessage } from '../testing/sample-message.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, encodeResponseChunks } from './frames.js';
import { decodeRequestHeader } from './headers.js';
import { apis, type ApiKey } from './registry.js';

const SAMPLES_PER_VERSION = 8;

const cases = Object.values(apis).flatMap((schema) => {
  const versions: number[] = [];
  for (let v = schema.validVersions[0]; v <= schema.validVersions[1]; v++) versions.push(v);
  return versions.map((version) => ({ schema, version, label: `${schema.name} v${version}` }));
});

describe('round trip of every API × version × direction', () => {
  it.each(cases)('$label request', ({ schema, version }) => {
    const random = new SeededRandom(schema.apiKey * 100 + version);
    for (let i = 0; i < SAMPLES_PER_VERSION; i++) {
      const body = sampleMessage(schema.request, version, random);
      const header = { correlationId: 1000 + i, clientId: i % 3 === 0 ? null : 'rill-test' };
      const frame = encodeRequest(schema.apiKey as ApiKey, version, header, body as never);
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);
      const decodedHeader = decodeRequestHeader(frame.subarray(4));
      expect(decodedHeader).toMatchObject({ apiKey: schema.apiKey, apiVersion: version, ...header });
      const decoded = decodeRequest(schema.apiKey, version, frame.subarray(4), decodedHeader.bodyOffset);
      expect(decoded).toEqual(body);
      expect(encodeRequest(schema.apiKey as ApiKey, version, header, decoded as never)).toEqual(frame);
    }
  });

  it.each(cases)('$label response', ({ schema, version }) => {
    const random = new SeededRandom(schema.apiKey * 100 + version + 50);
    for (let i = 0; i < SAMPLES_PER_VERSION; i++) {
      const body = sampleMessage(schema.response, version, random);
      const frame = encodeResponse(schema.apiKey, version, 77 + i, body);
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);
      const decoded = decodeResponse(schema.apiKey, version, frame.subarray(4));
      expect(decoded).toEqual({ correlationId: 77 + i, body });
      expect(Buffer.concat(encodeResponseChunks(schema.apiKey, version, 77 + i, body))).toEqual(frame);
    }
  });
});
