import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** AlterConfigs (33), v0–1: replaces the whole config set of each resource. */
export const AlterConfigs = {
  apiKey: 33,
  name: 'AlterConfigs',
  validVersions: [0, 1],
  flexibleVersions: null,
  request: [
    {
      name: 'resources',
      type: 'array',
      fields: [
        { name: 'resourceType', type: 'int8' },
        { name: 'resourceName', type: 'string' },
        {
          name: 'configs',
          type: 'array',
          fields: [
            { name: 'name', type: 'string' },
            { name: 'value', type: 'string', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'validateOnly', type: 'bool', default: false },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', default: 0 },
    {
      name: 'responses',
      type: 'array',
      fields: [
        { name: 'errorCode', type: 'int16' },
        { name: 'errorMessage', type: 'string', nullableVersions: '0+', default: null },
        { name: 'resourceType', type: 'int8' },
        { name: 'resourceName', type: 'string' },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type AlterConfigsRequest = RequestOf<typeof AlterConfigs>;
export type AlterConfigsResponse = ResponseOf<typeof AlterConfigs>;
export type AlterConfigsRequestInput = RequestInput<typeof AlterConfigs>;
export type AlterConfigsResponseInput = ResponseInput<typeof AlterConfigs>;
