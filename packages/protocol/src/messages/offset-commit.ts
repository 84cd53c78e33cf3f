import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** OffsetCommit (8), v0–5. */
export const OffsetCommit = {
  apiKey: 8,
  name: 'OffsetCommit',
  validVersions: [0, 5],
  flexibleVersions: null,
  request: [
    { name: 'groupId', type: 'string' },
    { name: 'generationId', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string', versions: '1+', default: '' },
    { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1 },
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
            { name: 'commitTimestamp', type: 'int64', versions: '1', default: -1 },
            { name: 'committedMetadata', type: 'string', nullableVersions: '0+' },
          ],
        },
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
            { name: 'errorCode', type: 'int16' },
          ],
        },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type OffsetCommitRequest = RequestOf<typeof OffsetCommit>;
export type OffsetCommitResponse = ResponseOf<typeof OffsetCommit>;
export type OffsetCommitRequestInput = RequestInput<typeof OffsetCommit>;
export type OffsetCommitResponseInput = ResponseInput<typeof OffsetCommit>;
