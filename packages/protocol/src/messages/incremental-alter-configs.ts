import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/**
 * IncrementalAlterConfigs (44), v0–1; v1 is flexible. Each config names its own operation
 * (`configOperation`: 0 set, 1 delete, 2 append, 3 subtract — see ConfigOperation), so
 * keys a request does not mention keep their values.
 */
export const IncrementalAlterConfigs = {
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  validVersions: [0, 1],
  flexibleVersions: 1,
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
            { name: 'configOperation', type: 'int8' },
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

/** Kafka's AlterConfigOp.OpType ids, as IncrementalAlterConfigs carries them. */
export const ConfigOperation = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export type IncrementalAlterConfigsRequest = RequestOf<typeof IncrementalAlterConfigs>;
export type IncrementalAlterConfigsResponse = ResponseOf<typeof IncrementalAlterConfigs>;
export type IncrementalAlterConfigsRequestInput = RequestInput<typeof IncrementalAlterConfigs>;
export type IncrementalAlterConfigsResponseInput = ResponseInput<typeof IncrementalAlterConfigs>;
