import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** OffsetForLeaderEpoch (23), v0–3: where a leader epoch ends, for follower truncation. */
export const OffsetForLeaderEpoch = {
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  validVersions: [0, 3],
  flexibleVersions: null,
  request: [
    { name: 'replicaId', type: 'int32', versions: '3+', default: -2 },
    {
      name: 'topics',
      type: 'array',
      fields: [
        { name: 'topic', type: 'string' },
        {
          name: 'partitions',
          type: 'array',
          fields: [
            { name: 'partition', type: 'int32' },
            { name: 'currentLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
            { name: 'leaderEpoch', type: 'int32' },
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
        { name: 'topic', type: 'string' },
        {
          name: 'partitions',
          type: 'array',
          fields: [
            { name: 'errorCode', type: 'int16' },
            { name: 'partition', type: 'int32' },
            { name: 'leaderEpoch', type: 'int32', versions: '1+', default: -1 },
            { name: 'endOffset', type: 'int64', default: -1 },
          ],
        },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type OffsetForLeaderEpochRequest = RequestOf<typeof OffsetForLeaderEpoch>;
export type OffsetForLeaderEpochResponse = ResponseOf<typeof OffsetForLeaderEpoch>;
export type OffsetForLeaderEpochRequestInput = RequestInput<typeof OffsetForLeaderEpoch>;
export type OffsetForLeaderEpochResponseInput = ResponseInput<typeof OffsetForLeaderEpoch>;
