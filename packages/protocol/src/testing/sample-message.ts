/**
 * Test support (excluded from the build): random but valid message values generated from a
 * schema, so every API × version can be round-tripped without hand-written fixtures.
 */
import type { SeededRandom } from '@rill/base';
import { inVersions } from '../codec/versions.js';
import { encodeRecordBatch } from '../records/record-codec.js';
import type { FieldDef, ScalarType } from '../schema/types.js';

type Value = Record<string, unknown>;

const TEXT = ['', 'a', 'golden', 'topic-1', 'ünïcødé ✓', 'x'.repeat(40)];

export function sampleMessage(fields: readonly FieldDef[], version: number, random: SeededRandom): Value {
  const value: Value = {};
  for (const field of fields) {
    value[field.name] = inVersions(field.versions, version)
      ? sampleField(field, version, random)
      : defaultOf(field);
  }
  return value;
}

/** What the decoder gives a field that its version leaves out. */
function defaultOf(field: FieldDef): unknown {
  if (field.default !== undefined) return field.default;
  if (field.type === 'array' || field.type.endsWith('[]')) return [];
  if (field.type === 'records') return null;
  if (field.type === 'struct') return {};
  return sampleScalarDefault(field.type as ScalarType);
}

function sampleScalarDefault(type: ScalarType): unknown {
  if (type === 'bool') return false;
  if (type === 'string') return '';
  if (type === 'bytes') return Buffer.alloc(0);
  if (type === 'uuid') return '00000000-0000-0000-0000-000000000000';
  return 0;
}

function sampleField(field: FieldDef, version: number, random: SeededRandom): unknown {
  const nullable = field.nullableVersions !== undefined && inVersions(field.nullableVersions, version);
  if (nullable && random.next() < 0.2) return null;
  if (field.type === 'array') {
    return times(random, () => sampleMessage(field.fields ?? [], version, random));
  }
  if (field.type === 'struct') return sampleMessage(field.fields ?? [], version, random);
  if (field.type === 'records') return sampleRecords(random);
  if (field.type.endsWith('[]')) {
    return times(random, () => sampleScalar(field.type.slice(0, -2) as ScalarType, random));
  }
  return sampleScalar(field.type as ScalarType, random);
}

function times<T>(random: SeededRandom, make: () => T): T[] {
  return Array.from({ length: random.between(0, 3) }, make);
}

export function sampleScalar(type: ScalarType, random: SeededRandom): unknown {
  switch (type) {
    case 'int8':
      return random.between(-128, 127);
    case 'int16':
      return random.between(-32768, 32767);
    case 'uint16':
      return random.between(0, 65535);
    case 'int32':
      return random.between(-(2 ** 31), 2 ** 31 - 1);
    case 'uint32':
      return random.between(0, 2 ** 32 - 1);
    case 'int64':
      return random.between(-(2 ** 40), 2 ** 40) * random.between(1, 4096);
    case 'float64':
      return random.next() * 1e6 - 5e5;
    case 'bool':
      return random.next() < 0.5;
    case 'string':
      return TEXT[random.between(0, TEXT.length - 1)];
    case 'bytes':
      return Buffer.from(Array.from({ length: random.between(0, 12) }, () => random.between(0, 255)));
    case 'uuid':
      return Array.from({ length: 16 }, () => random.between(0, 255).toString(16).padStart(2, '0'))
        .join('')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  }
}

/** A real record batch; sometimes over 1 KiB so chunked encoding passes it by reference. */
function sampleRecords(random: SeededRandom): Buffer {
  const count = random.between(1, 3);
  const valueBytes = random.next() < 0.3 ? 1500 : 10;
  return encodeRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({
      key: `k${i}`,
      value: Buffer.alloc(valueBytes, i),
      headers: [{ key: 'h', value: 'v' }],
      timestamp: 1_700_000_000_000 + i,
    })),
  });
}
