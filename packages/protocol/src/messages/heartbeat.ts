import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** Heartbeat (12), v0–2. */
export const Heartbeat = {
  apiKey: 12,
  name: 'Heartbeat',
  validVersions: [0, 2],
  flexibleVersions: null,
  request: [
    { name: 'groupId', type: 'string' },
    { name: 'generationId', type: 'int32' },
    { name: 'memberId', type: 'string' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
    { name: 'errorCode', type: 'int16' },
  ],
} as const satisfies ApiSchema;

export type HeartbeatRequest = RequestOf<typeof Heartbeat>;
export type HeartbeatResponse = ResponseOf<typeof Heartbeat>;
export type HeartbeatRequestInput = RequestInput<typeof Heartbeat>;
export type HeartbeatResponseInput = ResponseInput<typeof Heartbeat>;
