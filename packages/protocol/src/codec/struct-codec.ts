import { assert } from '@rill/base';
import type { FieldDef, ScalarType } from '../schema/types.js';
import type { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { readTaggedFields, writeTaggedFields, type TaggedField } from './tagged-fields.js';
import { arrayCodec, recordsCodec, scalarCodec, type Encoding, type ValueCodec } from './value-codecs.js';
import { inVersions } from './versions.js';

type Value = Record<string, unknown>;

/** One positional field of a struct, resolved for one version. */
interface Step {
  readonly name: string;
  /** null when the field is absent from this version: decode gives the default, encode skips. */
  readonly codec: ValueCodec | null;
  readonly makeDefault: () => unknown;
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
export const EMPTY_TAGS: ReadonlyMap<number, TaggedField> = new Map();

/**
 * Compiles a list of fields for one version into a struct codec. Every field appears in the
 * decoded object, in schema order, so all decoded objects of a message share one shape.
 */
export function compileStruct(fields: readonly FieldDef[], version: number, flexible: boolean): ValueCodec {
  const steps: Step[] = [];
  const tagged: TaggedField[] = [];
  let minBytes = flexible ? 1 : 0;
  for (const field of fields) {
    const present = inVersions(field.versions, version);
    const makeDefault = defaultFactory(field, version, flexible);
    const isTagged = field.tag !== undefined;
    assert(!(isTagged && present && !flexible), `tagged field ${field.name} in non-flexible v${version}`);
    const codec = present ? fieldCodec(field, version, flexible) : null;
    steps.push({ name: field.name, codec: isTagged ? null : codec, makeDefault });
    if (codec !== null && field.tag !== undefined) {
      tagged.push({ tag: field.tag, name: field.name, codec, isDefault: defaultTest(field) });
    } else if (codec !== null) {
      minBytes += codec.minBytes;
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const known = tagged.length === 0 ? EMPTY_TAGS : new Map(tagged.map((t) => [t.tag, t]));
  return {
    minBytes,
    read: (r: Reader) => readStruct(r, steps, flexible, known),
    write(w: Writer, v: unknown) {
      const value = (v ?? {}) as Value;
      writeSteps(w, value, steps);
      if (flexible) writeTaggedFields(w, value, tagged);
    },
  };
}

function readStruct(
  r: Reader,
  steps: readonly Step[],
  flexible: boolean,
  known: ReadonlyMap<number, TaggedField>,
): Value {
  const value: Value = {};
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    value[step.name] = step.codec === null ? step.makeDefault() : step.codec.read(r);
  }
  if (flexible) readTaggedFields(r, value, known);
  return value;
}

function writeSteps(w: Writer, value: Value, steps: readonly Step[]): void {
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.codec === null) continue;
    const v = value[step.name];
    step.codec.write(w, v === undefined ? step.makeDefault() : v);
  }
}

function fieldCodec(field: FieldDef, version: number, flexible: boolean): ValueCodec {
  const nullable = field.nullableVersions !== undefined && inVersions(field.nullableVersions, version);
  const encoding: Encoding = { flexible, nullable };
  switch (field.type) {
    case 'records':
      return recordsCodec(encoding);
    case 'struct':
      assert(!encoding.nullable, `struct ${field.name} cannot be nullable`);
      return compileStruct(field.fields ?? [], version, flexible);
    case 'array':
      return arrayCodec(compileStruct(field.fields ?? [], version, flexible), encoding);
    default:
      if (field.type.endsWith('[]')) {
        const item = scalarCodec(field.type.slice(0, -2) as ScalarType, { flexible, nullable: false });
        return arrayCodec(item, encoding);
      }
      return scalarCodec(field.type as ScalarType, encoding);
  }
}

/** The value a field takes when a version or a tagged section leaves it out. */
function defaultFactory(field: FieldDef, version: number, flexible: boolean): () => unknown {
  const declared = field.default;
  if (declared !== undefined) return () => declared;
  switch (field.type) {
    case 'bool':
      return () => false;
    case 'string':
      return () => '';
    case 'uuid':
      return () => ZERO_UUID;
    case 'bytes':
      return () => Buffer.alloc(0);
    case 'records':
      return () => null;
    case 'struct': {
      const members = (field.fields ?? []).map((f) => [f.name, defaultFactory(f, version, flexible)] as const);
      return () => Object.fromEntries(members.map(([name, make]) => [name, make()]));
    }
    case 'array':
      return () => [];
    default:
      return field.type.endsWith('[]') ? () => [] : () => 0;
  }
}

/** Whether a tagged field's value may be left out of the tagged section. */
function defaultTest(field: FieldDef): (v: unknown) => boolean {
  const declared = field.default;
  return (v) => {
    if (v === undefined || v === declared) return true;
    if (Array.isArray(v)) return declared === undefined && v.length === 0;
    if (declared === undefined) return v === 0 || v === false || v === '';
    return false;
  };
}
