import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** Fetch (1), v4–11: magic-2 record batches, sessions from v7, rack id from v11. */
export const Fetch = {
  apiKey: 1,
  name: 'Fetch',
  validVersions: [4, 11],
  flexibleVersions: null,
  request: [
    { name: 'replicaId', type: 'int32', default: -1 },
    { name: 'maxWaitMs', type: 'int32' },
    { name: 'minBytes', type: 'int32' },
    { name: 'maxBytes', type: 'int32', default: 0x7fffffff },
    { name: 'isolationLevel', type: 'int8', default: 0 },
    { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
    { name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1 },
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
            { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1 },
            { name: 'fetchOffset', type: 'int64' },
            { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
            { name: 'partitionMaxBytes', type: 'int32' },
          ],
        },
      ],
    },
    {
      name: 'forgottenTopicsData',
      type: 'array',
      versions: '7+',
      fields: [
        { name: 'topic', type: 'string' },
        { name: 'partitions', type: 'int32[]' },
      ],
    },
    { name: 'rackId', type: 'string', versions: '11+', default: '' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', default: 0 },
    { name: 'errorCode', type: 'int16', versions: '7+', default: 0 },
    { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
    {
      name: 'responses',
      type: 'array',
      fields: [
        { name: 'topic', type: 'string' },
        {
          name: 'partitions',
          type: 'array',
          fields: [
            { name: 'partitionIndex', type: 'int32' },
            { name: 'errorCode', type: 'int16' },
            { name: 'highWatermark', type: 'int64' },
            { name: 'lastStableOffset', type: 'int64', default: -1 },
            { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
            {
              name: 'abortedTransactions',
              type: 'array',
              nullableVersions: '4+',
              default: null,
              fields: [
                { name: 'producerId', type: 'int64' },
                { name: 'firstOffset', type: 'int64' },
              ],
            },
            { name: 'preferredReadReplica', type: 'int32', versions: '11+', default: -1 },
            { name: 'records', type: 'records', nullableVersions: '4+' },
          ],
        },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type FetchRequest = RequestOf<typeof Fetch>;
export type FetchResponse = ResponseOf<typeof Fetch>;
export type FetchRequestInput = RequestInput<typeof Fetch>;
export type FetchResponseInput = ResponseInput<typeof Fetch>;
