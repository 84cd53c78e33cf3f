import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** OffsetFetch (9), v1–5 (kafkajs has no v0). v2+: null topics = every committed partition. */
export const OffsetFetch = {
  apiKey: 9,
  name: 'OffsetFetch',
  validVersions: [1, 5],
  flexibleVersions: null,
  request: [
    { name: 'groupId', type: 'string' },
    {
      name: 'topics',
      type: 'array',
      nullableVersions: '2+',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'partitionIndexes', type: 'int32[]' },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+', default: 0 },
    {
      name: 'topics',
      type: 'array',
      fields: [
        { name: 'name', type: 'string' },
        {
          name: 'partitions',
          type: 'array',
          fields: [
            { name: 'partitionIndex', type: 'int32' },
            { name: 'committedOffset', type: 'int64' },
            { name: 'committedLeaderEpoch', type: 'int32', versions: '5+', default: -1 },
            { name: 'metadata', type: 'string', nullableVersions: '0+' },
            { name: 'errorCode', type: 'int16' },
          ],
        },
      ],
    },
    { name: 'errorCode', type: 'int16', versions: '2+', default: 0 },
  ],
} as const satisfies ApiSchema;

export type OffsetFetchRequest = RequestOf<typeof OffsetFetch>;
export type OffsetFetchResponse = ResponseOf<typeof OffsetFetch>;
export type OffsetFetchRequestInput = RequestInput<typeof OffsetFetch>;
export type OffsetFetchResponseInput = ResponseInput<typeof OffsetFetch>;
