import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** JoinGroup (11), v0–4 (v5 brings static membership, which we do not offer yet). */
export const JoinGroup = {
  apiKey: 11,
  name: 'JoinGroup',
  validVersions: [0, 4],
  flexibleVersions: null,
  request: [
    { name: 'groupId', type: 'string' },
    { name: 'sessionTimeoutMs', type: 'int32' },
    { name: 'rebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string' },
    { name: 'protocolType', type: 'string' },
    {
      name: 'protocols',
      type: 'array',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'metadata', type: 'bytes' },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+', default: 0 },
    { name: 'errorCode', type: 'int16' },
    { name: 'generationId', type: 'int32', default: -1 },
    { name: 'protocolName', type: 'string' },
    { name: 'leader', type: 'string' },
    { name: 'memberId', type: 'string' },
    {
      name: 'members',
      type: 'array',
      fields: [
        { name: 'memberId', type: 'string' },
        { name: 'metadata', type: 'bytes' },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type JoinGroupRequest = RequestOf<typeof JoinGroup>;
export type JoinGroupResponse = ResponseOf<typeof JoinGroup>;
export type JoinGroupRequestInput = RequestInput<typeof JoinGroup>;
export type JoinGroupResponseInput = ResponseInput<typeof JoinGroup>;
