import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** SyncGroup (14), v0–2. */
export const SyncGroup = {
  apiKey: 14,
  name: 'SyncGroup',
  validVersions: [0, 2],
  flexibleVersions: null,
  request: [
    { name: 'groupId', type: 'string' },
    { name: 'generationId', type: 'int32' },
    { name: 'memberId', type: 'string' },
    {
      name: 'assignments',
      type: 'array',
      fields: [
        { name: 'memberId', type: 'string' },
        { name: 'assignment', type: 'bytes' },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
    { name: 'errorCode', type: 'int16' },
    { name: 'assignment', type: 'bytes' },
  ],
} as const satisfies ApiSchema;

export type SyncGroupRequest = RequestOf<typeof SyncGroup>;
export type SyncGroupResponse = ResponseOf<typeof SyncGroup>;
export type SyncGroupRequestInput = RequestInput<typeof SyncGroup>;
export type SyncGroupResponseInput = ResponseInput<typeof SyncGroup>;
