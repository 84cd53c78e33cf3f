import { readFileSync } from 'node:fs';
import { SeededRandom } from '@rill/base';
import { describe, expect, it } from 'vitest';
import { decodeRecordBatch } from '../records/record-codec.js';
import { scanBatches } from '../records/scan.js';
import { validateBatches } from '../records/validate.js';
import { sampleMessage } from '../testing/sample-message.js';
import { DecodeError } from '../wire/decode-error.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './frames.js';
import { decodeRequestHeader } from './headers.js';
import { apis } from './registry.js';

const SEED = 0x5eed;
const MUTATIONS_PER_FRAME = 120;
const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0xffffffff, 0x80000000];

interface Seed {
  kind: 'request' | 'response';
  apiKey: number;
  version: number;
  frame: Buffer;
}

function seedFrames(random: SeededRandom): Seed[] {
  const golden = JSON.parse(readFileSync(new URL('../fixtures/golden-requests.json', import.meta.url), 'utf8')) as {
    apiKey: number;
    version: number;
    hex: string;
  }[];
  const seeds: Seed[] = golden.map((g) => ({ kind: 'request', apiKey: g.apiKey, version: g.version, frame: Buffer.from(g.hex, 'hex') }));
  for (const schema of Object.values(apis)) {
    const key: number = schema.apiKey;
    for (let v = schema.validVersions[0]; v <= schema.validVersions[1]; v++) {
      const request = encodeRequest(key, v, { correlationId: 1, clientId: 'f' }, sampleMessage(schema.request, v, random));
      const response = encodeResponse(key, v, 1, sampleMessage(schema.response, v, random));
      seeds.push({ kind: 'request', apiKey: key, version: v, frame: request.subarray(4) });
      seeds.push({ kind: 'response', apiKey: key, version: v, frame: response.subarray(4) });
    }
  }
  return seeds;
}

/** One random corruption: bit flips, truncation, a length-like field overwritten, or noise. */
function mutate(frame: Buffer, random: SeededRandom): Buffer {
  const out = Buffer.from(frame);
  const at = () => random.between(0, Math.max(0, out.length - 1));
  switch (random.between(0, 4)) {
    case 0:
      for (let i = random.between(1, 4); i > 0 && out.length > 0; i--) out[at()]! ^= 1 << random.between(0, 7);
      return out;
    case 1:
      return out.subarray(0, random.between(0, out.length));
    case 2: {
      const pos = at();
      const value = INTERESTING[random.between(0, INTERESTING.length - 1)]!;
      if (pos + 4 <= out.length) out.writeUInt32BE(value >>> 0, pos);
      else if (pos + 2 <= out.length) out.writeUInt16BE(value & 0xffff, pos);
      return out;
    }
    case 3:
      for (let i = random.between(1, 8); i > 0 && out.length > 0; i--) out[at()] = random.between(0, 255);
      return out;
    default: {
      const pos = at();
      const noise = Buffer.from(Array.from({ length: random.between(1, 16) }, () => random.between(0, 255)));
      return Buffer.concat([out.subarray(0, pos), noise, out.subarray(pos)]);
    }
  }
}

/** Decodes everything a frame could be; only success or DecodeError is acceptable. */
function decodeAll(seed: Seed, frame: Buffer): void {
  if (seed.kind === 'response') {
    decodeResponse(seed.apiKey, seed.version, frame);
    return;
  }
  const header = decodeRequestHeader(frame);
  const body = decodeRequest(header.apiKey, header.apiVersion, frame, header.bodyOffset) as {
    topicData?: { partitionData: { records: Buffer | null }[] }[];
  };
  for (const topic of body.topicData ?? []) {
    for (const { records } of topic.partitionData) {
      if (records === null) continue;
      validateBatches(records, { maxBatchBytes: 1 << 20 });
      [...scanBatches(records)];
      decodeRecordBatch(records);
    }
  }
}

describe('seeded fuzz: mutated frames only ever decode or throw DecodeError', () => {
  it(`survives mutations of golden and round-trip frames (seed ${SEED})`, () => {
    const random = new SeededRandom(SEED);
    const seeds = seedFrames(random);
    let mutations = 0;
    for (const [index, seed] of seeds.entries()) {
      for (let i = 0; i < MUTATIONS_PER_FRAME; i++, mutations++) {
        const frame = mutate(seed.frame, random);
        try {
          decodeAll(seed, frame);
        } catch (error) {
          if (error instanceof DecodeError) continue;
          throw new Error(`seed ${SEED}, frame #${index} mutation ${i}: ${String(error)}\n${frame.toString('hex')}`);
        }
      }
    }
    expect(mutations).toBeGreaterThanOrEqual(20_000);
  });
});
