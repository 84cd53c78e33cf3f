import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** CreatePartitions (37), v0–1. Null assignments = let the controller place the replicas. */
export const CreatePartitions = {
  apiKey: 37,
  name: 'CreatePartitions',
  validVersions: [0, 1],
  flexibleVersions: null,
  request: [
    {
      name: 'topics',
      type: 'array',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'count', type: 'int32' },
        {
          name: 'assignments',
          type: 'array',
          nullableVersions: '0+',
          default: null,
          fields: [{ name: 'brokerIds', type: 'int32[]' }],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32' },
    { name: 'validateOnly', type: 'bool', default: false },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', default: 0 },
    {
      name: 'results',
      type: 'array',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'errorCode', type: 'int16' },
        { name: 'errorMessage', type: 'string', nullableVersions: '0+', default: null },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type CreatePartitionsRequest = RequestOf<typeof CreatePartitions>;
export type CreatePartitionsResponse = ResponseOf<typeof CreatePartitions>;
export type CreatePartitionsRequestInput = RequestInput<typeof CreatePartitions>;
export type CreatePartitionsResponseInput = ResponseInput<typeof CreatePartitions>;
