import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/**
 * ApiVersions (18), v0–3; v3 is flexible. Its response header is always v0 (KIP-511), which
 * the codec applies; an unknown version is answered in v0 format by the broker.
 */
export const ApiVersions = {
  apiKey: 18,
  name: 'ApiVersions',
  validVersions: [0, 3],
  flexibleVersions: 3,
  request: [
    { name: 'clientSoftwareName', type: 'string', versions: '3+', default: '' },
    { name: 'clientSoftwareVersion', type: 'string', versions: '3+', default: '' },
  ],
  response: [
    { name: 'errorCode', type: 'int16' },
    {
      name: 'apiKeys',
      type: 'array',
      fields: [
        { name: 'apiKey', type: 'int16' },
        { name: 'minVersion', type: 'int16' },
        { name: 'maxVersion', type: 'int16' },
      ],
    },
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
    {
      name: 'supportedFeatures',
      type: 'array',
      versions: '3+',
      tag: 0,
      fields: [
        { name: 'name', type: 'string' },
        { name: 'minVersion', type: 'int16' },
        { name: 'maxVersion', type: 'int16' },
      ],
    },
    { name: 'finalizedFeaturesEpoch', type: 'int64', versions: '3+', tag: 1, default: -1 },
    {
      name: 'finalizedFeatures',
      type: 'array',
      versions: '3+',
      tag: 2,
      fields: [
        { name: 'name', type: 'string' },
        { name: 'maxVersionLevel', type: 'int16' },
        { name: 'minVersionLevel', type: 'int16' },
      ],
    },
    { name: 'zkMigrationReady', type: 'bool', versions: '3+', tag: 3, default: false },
  ],
} as const satisfies ApiSchema;

export type ApiVersionsRequest = RequestOf<typeof ApiVersions>;
export type ApiVersionsResponse = ResponseOf<typeof ApiVersions>;
export type ApiVersionsRequestInput = RequestInput<typeof ApiVersions>;
export type ApiVersionsResponseInput = ResponseInput<typeof ApiVersions>;
