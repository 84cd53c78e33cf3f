import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** LeaveGroup (13), v0–2: one member per request (v3 batches members). */
export const LeaveGroup = {
  apiKey: 13,
  name: 'LeaveGroup',
  validVersions: [0, 2],
  flexibleVersions: null,
  request: [
    { name: 'groupId', type: 'string' },
    { name: 'memberId', type: 'string' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
    { name: 'errorCode', type: 'int16' },
  ],
} as const satisfies ApiSchema;

export type LeaveGroupRequest = RequestOf<typeof LeaveGroup>;
export type LeaveGroupResponse = ResponseOf<typeof LeaveGroup>;
export type LeaveGroupRequestInput = RequestInput<typeof LeaveGroup>;
export type LeaveGroupResponseInput = ResponseInput<typeof LeaveGroup>;
