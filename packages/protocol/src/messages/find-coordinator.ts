import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** FindCoordinator (10), v0–2. v0 must stay advertised: librdkafka keys its group support on it. */
export const FindCoordinator = {
  apiKey: 10,
  name: 'FindCoordinator',
  validVersions: [0, 2],
  flexibleVersions: null,
  request: [
    { name: 'key', type: 'string' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
    { name: 'errorCode', type: 'int16' },
    { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
    { name: 'nodeId', type: 'int32' },
    { name: 'host', type: 'string' },
    { name: 'port', type: 'int32' },
  ],
} as const satisfies ApiSchema;

export type FindCoordinatorRequest = RequestOf<typeof FindCoordinator>;
export type FindCoordinatorResponse = ResponseOf<typeof FindCoordinator>;
export type FindCoordinatorRequestInput = RequestInput<typeof FindCoordinator>;
export type FindCoordinatorResponseInput = ResponseInput<typeof FindCoordinator>;
