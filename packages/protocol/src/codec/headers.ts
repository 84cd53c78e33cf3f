import { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { ApiKey, getApi, isFlexibleVersion, isSupportedVersion } from './registry.js';
import { EMPTY_TAGS } from './struct-codec.js';
import { readTaggedFields, writeTaggedFields } from './tagged-fields.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Where the request body starts in the frame. */
  bodyOffset: number;
}

export interface RequestHeaderInput {
  correlationId: number;
  clientId: string | null;
}

/** A request uses header v2 (tagged fields) exactly when its version is flexible. */
function usesFlexibleHeader(apiKey: number, apiVersion: number): boolean {
  const schema = getApi(apiKey);
  return schema !== undefined && isSupportedVersion(schema, apiVersion) && isFlexibleVersion(schema, apiVersion);
}

/**
 * Decodes a request header from a frame without its size prefix. client_id keeps its INT16
 * length even in header v2. For an unknown key or version only the v1 fields are read, so
 * the caller still has the correlation id to answer with.
 */
export function decodeRequestHeader(frame: Buffer): RequestHeader {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString();
  if (usesFlexibleHeader(apiKey, apiVersion)) readTaggedFields(r, {}, EMPTY_TAGS);
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: r.offset };
}

export function writeRequestHeader(w: Writer, apiKey: number, apiVersion: number, header: RequestHeaderInput): void {
  w.int16(apiKey);
  w.int16(apiVersion);
  w.int32(header.correlationId);
  w.nullableString(header.clientId);
  if (usesFlexibleHeader(apiKey, apiVersion)) writeTaggedFields(w, {}, []);
}

/** Response header v1 (with tagged fields) for flexible versions, except ApiVersions (KIP-511). */
function usesFlexibleResponseHeader(apiKey: number, apiVersion: number): boolean {
  return apiKey !== ApiKey.ApiVersions && usesFlexibleHeader(apiKey, apiVersion);
}

export function writeResponseHeader(w: Writer, apiKey: number, apiVersion: number, correlationId: number): void {
  w.int32(correlationId);
  if (usesFlexibleResponseHeader(apiKey, apiVersion)) writeTaggedFields(w, {}, []);
}

export function readResponseHeader(r: Reader, apiKey: number, apiVersion: number): number {
  const correlationId = r.int32();
  if (usesFlexibleResponseHeader(apiKey, apiVersion)) readTaggedFields(r, {}, EMPTY_TAGS);
  return correlationId;
}
