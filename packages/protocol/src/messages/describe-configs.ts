import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** DescribeConfigs (32), v0–2. Null configurationKeys = every key of the resource. */
export const DescribeConfigs = {
  apiKey: 32,
  name: 'DescribeConfigs',
  validVersions: [0, 2],
  flexibleVersions: null,
  request: [
    {
      name: 'resources',
      type: 'array',
      fields: [
        { name: 'resourceType', type: 'int8' },
        { name: 'resourceName', type: 'string' },
        { name: 'configurationKeys', type: 'string[]', nullableVersions: '0+', default: null },
      ],
    },
    { name: 'includeSynonyms', type: 'bool', versions: '1+', default: false },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', default: 0 },
    {
      name: 'results',
      type: 'array',
      fields: [
        { name: 'errorCode', type: 'int16' },
        { name: 'errorMessage', type: 'string', nullableVersions: '0+', default: null },
        { name: 'resourceType', type: 'int8' },
        { name: 'resourceName', type: 'string' },
        {
          name: 'configs',
          type: 'array',
          fields: [
            { name: 'name', type: 'string' },
            { name: 'value', type: 'string', nullableVersions: '0+' },
            { name: 'readOnly', type: 'bool' },
            { name: 'isDefault', type: 'bool', versions: '0', default: false },
            { name: 'configSource', type: 'int8', versions: '1+', default: -1 },
            { name: 'isSensitive', type: 'bool' },
            {
              name: 'synonyms',
              type: 'array',
              versions: '1+',
              fields: [
                { name: 'name', type: 'string' },
                { name: 'value', type: 'string', nullableVersions: '0+' },
                { name: 'source', type: 'int8' },
              ],
            },
          ],
        },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type DescribeConfigsRequest = RequestOf<typeof DescribeConfigs>;
export type DescribeConfigsResponse = ResponseOf<typeof DescribeConfigs>;
export type DescribeConfigsRequestInput = RequestInput<typeof DescribeConfigs>;
export type DescribeConfigsResponseInput = ResponseInput<typeof DescribeConfigs>;
