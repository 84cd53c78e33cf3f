import { assert } from '@rill/base';
import { DecodeError } from '../wire/decode-error.js';
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { readResponseHeader, writeRequestHeader, writeResponseHeader, type RequestHeaderInput } from './headers.js';
import {
  getApi,
  isFlexibleVersion,
  isSupportedVersion,
  type RequestFor,
  type RequestInputFor,
  type ResponseFor,
  type ResponseInputFor,
} from './registry.js';
import { compileStruct } from './struct-codec.js';
import type { ValueCodec } from './value-codecs.js';

type Direction = 'request' | 'response';

const SIZE_PREFIX_BYTES = 4;
/** Compiled codecs, one per (api, version, direction), built on first use. */
const compiled = new Map<number, ValueCodec>();

/** The compiled body codec, or undefined if the API or version is not one we support. */
function bodyCodec(apiKey: number, version: number, direction: Direction): ValueCodec | undefined {
  // A numeric key: no string is built per request on the hot path. Keys and versions are int16.
  const cacheKey = ((apiKey & 0xffff) * 0x10000 + (version & 0xffff)) * 2 + (direction === 'request' ? 0 : 1);
  const cached = compiled.get(cacheKey);
  if (cached !== undefined) return cached;
  const schema = getApi(apiKey);
  if (schema === undefined || !isSupportedVersion(schema, version)) return undefined;
  const codec = compileStruct(schema[direction], version, isFlexibleVersion(schema, version));
  compiled.set(cacheKey, codec);
  return codec;
}

function decoderFor(apiKey: number, version: number, direction: Direction): ValueCodec {
  const codec = bodyCodec(apiKey, version, direction);
  if (codec === undefined) throw new DecodeError(`unsupported api ${apiKey} version ${version}`);
  return codec;
}

function encoderFor(apiKey: number, version: number, direction: Direction): ValueCodec {
  const codec = bodyCodec(apiKey, version, direction);
  assert(codec !== undefined, `no ${direction} schema for api ${apiKey} v${version}`);
  return codec;
}

/**
 * Decodes a request body starting at `offset` (RequestHeader.bodyOffset) of a frame without
 * its size prefix. Bytes and records in the result are views into `frame`. Bytes after the
 * body are ignored, as Kafka does.
 */
export function decodeRequest<K extends number>(apiKey: K, version: number, frame: Buffer, offset: number): RequestFor<K> {
  return decoderFor(apiKey, version, 'request').read(new Reader(frame, offset)) as RequestFor<K>;
}

/** A whole request frame: size prefix, header v1 or v2, body. For clients and tests. */
export function encodeRequest<K extends number>(
  apiKey: K,
  version: number,
  header: RequestHeaderInput,
  body: RequestInputFor<K>,
): Buffer {
  const codec = encoderFor(apiKey, version, 'request');
  const w = new Writer();
  w.int32(0);
  writeRequestHeader(w, apiKey, version, header);
  codec.write(w, body);
  return withSizePrefix(w.finish());
}

/** A whole response frame: size prefix, header v0 or v1, body, as one Buffer. */
export function encodeResponse<K extends number>(
  apiKey: K,
  version: number,
  correlationId: number,
  body: ResponseInputFor<K>,
): Buffer {
  return withSizePrefix(writeResponse(apiKey, version, correlationId, body).finish());
}

/**
 * The same frame as encodeResponse, as consecutive Buffers: record data appears by reference
 * (not copied), so a Fetch response can be written with cork/write.../uncork. The caller
 * must keep those record buffers unchanged until written.
 */
export function encodeResponseChunks<K extends number>(
  apiKey: K,
  version: number,
  correlationId: number,
  body: ResponseInputFor<K>,
): Buffer[] {
  const chunks = writeResponse(apiKey, version, correlationId, body).finishChunks();
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  chunks[0]!.writeInt32BE(total - SIZE_PREFIX_BYTES, 0);
  return chunks;
}

function writeResponse(apiKey: number, version: number, correlationId: number, body: unknown): Writer {
  const codec = encoderFor(apiKey, version, 'response');
  const w = new Writer();
  w.int32(0);
  writeResponseHeader(w, apiKey, version, correlationId);
  codec.write(w, body);
  return w;
}

function withSizePrefix(frame: Buffer): Buffer {
  frame.writeInt32BE(frame.length - SIZE_PREFIX_BYTES, 0);
  return frame;
}

/** Decodes a response frame without its size prefix. For clients and tests. */
export function decodeResponse<K extends number>(
  apiKey: K,
  version: number,
  frame: Buffer,
): { correlationId: number; body: ResponseFor<K> } {
  const r = new Reader(frame);
  const correlationId = readResponseHeader(r, apiKey, version);
  const body = decoderFor(apiKey, version, 'response').read(r) as ResponseFor<K>;
  return { correlationId, body };
}
