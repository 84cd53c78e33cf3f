import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** One voter's or observer's replication state, as the quorum leader sees it. */
const replicaState = [
  { name: 'replicaId', type: 'int32' },
  { name: 'logEndOffset', type: 'int64' },
  { name: 'lastFetchTimestamp', type: 'int64', versions: '1+', default: -1 },
  { name: 'lastCaughtUpTimestamp', type: 'int64', versions: '1+', default: -1 },
] as const;

/**
 * DescribeQuorum (55), v0–1 (KIP-595, KIP-836): the metadata quorum's leader, epoch, high
 * watermark and each replica's log end offset. Flexible from v0. The request names the
 * metadata partition (`__cluster_metadata`, 0).
 */
export const DescribeQuorum = {
  apiKey: 55,
  name: 'DescribeQuorum',
  validVersions: [0, 1],
  flexibleVersions: 0,
  request: [
    {
      name: 'topics',
      type: 'array',
      fields: [
        { name: 'topicName', type: 'string' },
        { name: 'partitions', type: 'array', fields: [{ name: 'partitionIndex', type: 'int32' }] },
      ],
    },
  ],
  response: [
    { name: 'errorCode', type: 'int16' },
    {
      name: 'topics',
      type: 'array',
      fields: [
        { name: 'topicName', type: 'string' },
        {
          name: 'partitions',
          type: 'array',
          fields: [
            { name: 'partitionIndex', type: 'int32' },
            { name: 'errorCode', type: 'int16' },
            { name: 'leaderId', type: 'int32' },
            { name: 'leaderEpoch', type: 'int32' },
            { name: 'highWatermark', type: 'int64' },
            { name: 'currentVoters', type: 'array', fields: replicaState },
            { name: 'observers', type: 'array', fields: replicaState },
          ],
        },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type DescribeQuorumRequest = RequestOf<typeof DescribeQuorum>;
export type DescribeQuorumResponse = ResponseOf<typeof DescribeQuorum>;
export type DescribeQuorumRequestInput = RequestInput<typeof DescribeQuorum>;
export type DescribeQuorumResponseInput = ResponseInput<typeof DescribeQuorum>;
