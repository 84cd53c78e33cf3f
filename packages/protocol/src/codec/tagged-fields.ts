import { DecodeError } from '../wire/decode-error.js';
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import type { ValueCodec } from './value-codecs.js';

/** A known tagged field of a struct in one flexible version. */
export interface TaggedField {
  readonly tag: number;
  readonly name: string;
  readonly codec: ValueCodec;
  isDefault(v: unknown): boolean;
}

/** Each tagged entry takes at least a tag byte and a size byte. */
const TAGGED_ENTRY_MIN_BYTES = 2;

/**
 * Reads a KIP-482 tagged-field section into `target`. Tags must be strictly increasing
 * (duplicates and disorder are malformed); unknown tags are skipped by their size; a known
 * tag's value must fill its declared size exactly.
 */
export function readTaggedFields(
  r: Reader,
  target: Record<string, unknown>,
  known: ReadonlyMap<number, TaggedField>,
): void {
  const count = r.uvarint();
  if (count * TAGGED_ENTRY_MIN_BYTES > r.remaining()) {
    throw new DecodeError(`${count} tagged fields cannot fit in ${r.remaining()} bytes`);
  }
  let previousTag = -1;
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    if (tag <= previousTag) throw new DecodeError(`tag ${tag} after tag ${previousTag}`);
    previousTag = tag;
    const size = r.uvarint();
    const start = r.take(size);
    const field = known.get(tag);
    if (field === undefined) continue;
    const sub = new Reader(r.buf, start, start + size);
    target[field.name] = field.codec.read(sub);
    if (sub.remaining() !== 0) throw new DecodeError(`tag ${tag} has ${sub.remaining()} extra bytes`);
  }
}

/** Writes the tagged-field section: only fields whose value differs from the default. */
export function writeTaggedFields(
  w: Writer,
  value: Record<string, unknown>,
  fields: readonly TaggedField[],
): void {
  const present = fields.filter((f) => !f.isDefault(value[f.name]));
  w.uvarint(present.length);
  for (const field of present) {
    const body = new Writer(64);
    field.codec.write(body, value[field.name]);
    const bytes = body.finish();
    w.uvarint(field.tag);
    w.uvarint(bytes.length);
    w.raw(bytes);
  }
}
