import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** CreateTopics (19), v0–4. kafkajs sends -1 partitions/replication for "broker default". */
export const CreateTopics = {
  apiKey: 19,
  name: 'CreateTopics',
  validVersions: [0, 4],
  flexibleVersions: null,
  request: [
    {
      name: 'topics',
      type: 'array',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'numPartitions', type: 'int32' },
        { name: 'replicationFactor', type: 'int16' },
        {
          name: 'assignments',
          type: 'array',
          fields: [
            { name: 'partitionIndex', type: 'int32' },
            { name: 'brokerIds', type: 'int32[]' },
          ],
        },
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
    { name: 'timeoutMs', type: 'int32', default: 60000 },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+', default: 0 },
    {
      name: 'topics',
      type: 'array',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'errorCode', type: 'int16' },
        { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+', default: null },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type CreateTopicsRequest = RequestOf<typeof CreateTopics>;
export type CreateTopicsResponse = ResponseOf<typeof CreateTopics>;
export type CreateTopicsRequestInput = RequestInput<typeof CreateTopics>;
export type CreateTopicsResponseInput = ResponseInput<typeof CreateTopics>;
