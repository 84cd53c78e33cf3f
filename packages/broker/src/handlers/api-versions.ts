import { ApiVersions, ErrorCode } from '@rill/protocol';
import { defineHandler, type AnyApiHandler } from './handler.js';

/** KIP-511's rule for client_software_name and _version. */
const clientSoftwarePattern = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export interface AdvertisedRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** ApiVersions: the version ranges of every handler in the registry. */
export function apiVersionsHandler(advertised: () => readonly AdvertisedRange[]): AnyApiHandler {
  return defineHandler({
    schema: ApiVersions,
    minVersion: 0,
    maxVersion: 3,
    handle(request, context) {
      const apiKeys = advertised().map((range) => ({ ...range }));
      if (context.apiVersion >= 3 && !validSoftware(request.clientSoftwareName, request.clientSoftwareVersion)) {
        return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys, throttleTimeMs: 0 };
      }
      return { errorCode: ErrorCode.NONE, apiKeys, throttleTimeMs: 0 };
    },
  });
}

function validSoftware(name: string, version: string): boolean {
  return clientSoftwarePattern.test(name) && clientSoftwarePattern.test(version);
}
