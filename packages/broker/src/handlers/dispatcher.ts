import {
  ApiKey,
  DecodeError,
  decodeRequest,
  decodeRequestHeader,
  encodeResponse,
  encodeResponseChunks,
  ErrorCode,
  type RequestHeader,
} from '@rill/protocol';
import { CloseConnection, type ConnectionContext, type Dispatch, type ResponseFrame } from '../network/connection.js';
import { noResponse, type AnyApiHandler, type BrokerServices } from './handler.js';
import type { HandlerRegistry } from './registry.js';

export interface DispatcherOptions {
  readonly registry: HandlerRegistry;
  readonly services: BrokerServices;
}

/**
 * Turns a request frame into a response frame: header, version check, decode, handler,
 * encode, metrics. What Kafka answers by closing the connection (undecodable frames,
 * unknown APIs, unsupported versions other than ApiVersions) throws CloseConnection.
 */
export function createDispatcher(options: DispatcherOptions): Dispatch {
  const { registry, services } = options;
  return (frame, connection) => {
    const header = readHeader(frame);
    const handler = registry.get(header.apiKey);
    if (handler === undefined) throw new CloseConnection(`unknown api key ${header.apiKey}`);
    if (header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      return unsupportedVersion(header, handler, registry);
    }
    let request: unknown;
    try {
      request = decodeRequest(header.apiKey, header.apiVersion, frame, header.bodyOffset);
    } catch (error) {
      if (error instanceof DecodeError) throw new CloseConnection(`malformed ${handler.schema.name} v${header.apiVersion}: ${error.message}`);
      throw error;
    }
    return run(handler, header, request, connection, services);
  };
}

function readHeader(frame: Buffer): RequestHeader {
  try {
    return decodeRequestHeader(frame);
  } catch (error) {
    if (error instanceof DecodeError) throw new CloseConnection(`malformed request header: ${error.message}`);
    throw error;
  }
}

/**
 * Runs the handler and encodes its answer. A handler that answers at once is finished
 * without a microtask hop, so the connection sees the response bytes before it starts the
 * next request; only handlers that wait (long-poll fetches, metadata changes) go async.
 */
function run(
  handler: AnyApiHandler,
  header: RequestHeader,
  request: unknown,
  connection: ConnectionContext,
  services: BrokerServices,
): ResponseFrame | Promise<ResponseFrame> {
  const started = performance.now();
  const api = handler.schema.name;
  const whenWritten: (() => void)[] = [];
  const written = (): void => whenWritten.forEach((callback) => callback());
  const finish = (body: unknown): ResponseFrame => {
    services.metrics.requests.inc({ api, outcome: 'ok' });
    services.metrics.requestDuration.observe({ api }, (performance.now() - started) / 1000);
    if (body === noResponse) {
      written();
      return null;
    }
    if (handler.respondInPieces) {
      const pieces = encodeResponseChunks(header.apiKey, header.apiVersion, header.correlationId, body as never);
      return whenWritten.length === 0 ? { pieces } : { pieces, onWritten: written };
    }
    // One frame is a copy: what the body referred to is free once it is encoded.
    const frame = encodeResponse(header.apiKey, header.apiVersion, header.correlationId, body as never);
    written();
    return frame;
  };
  const fail = (error: unknown): never => {
    services.metrics.requests.inc({ api, outcome: 'error' });
    throw error;
  };
  let result: unknown;
  try {
    const onResponseWritten = (callback: () => void): void => void whenWritten.push(callback);
    result = handler.handle(request as never, { apiVersion: header.apiVersion, clientId: header.clientId, connection, services, onResponseWritten });
  } catch (error) {
    return fail(error);
  }
  return result instanceof Promise ? result.then(finish, fail) : finish(result);
}

/**
 * Kafka answers an ApiVersions request of a version it does not know with a v0 body carrying
 * UNSUPPORTED_VERSION and its ranges (KIP-511), so the client can retry lower; any other
 * API at an unsupported version closes the connection.
 */
function unsupportedVersion(header: RequestHeader, handler: AnyApiHandler, registry: HandlerRegistry): ResponseFrame {
  if (header.apiKey !== ApiKey.ApiVersions) {
    throw new CloseConnection(`${handler.schema.name} v${header.apiVersion} is not supported`);
  }
  return encodeResponse(ApiKey.ApiVersions, 0, header.correlationId, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: registry.advertised().map((range) => ({ ...range })),
    throttleTimeMs: 0,
  } as never);
}

