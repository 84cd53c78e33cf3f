import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** ListOffsets (2), v1–3: one offset per partition (v0's offset arrays are not supported). */
export const ListOffsets = {
  apiKey: 2,
  name: 'ListOffsets',
  validVersions: [1, 3],
  flexibleVersions: null,
  request: [
    { name: 'replicaId', type: 'int32', default: -1 },
    { name: 'isolationLevel', type: 'int8', versions: '2+', default: 0 },
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
            { name: 'timestamp', type: 'int64' },
          ],
        },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+', default: 0 },
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
            { name: 'errorCode', type: 'int16' },
            { name: 'timestamp', type: 'int64', default: -1 },
            { name: 'offset', type: 'int64', default: -1 },
          ],
        },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type ListOffsetsRequest = RequestOf<typeof ListOffsets>;
export type ListOffsetsResponse = ResponseOf<typeof ListOffsets>;
export type ListOffsetsRequestInput = RequestInput<typeof ListOffsets>;
export type ListOffsetsResponseInput = ResponseInput<typeof ListOffsets>;
