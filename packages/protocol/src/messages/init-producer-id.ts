import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** InitProducerId (22), v0–1. v0 must stay advertised: librdkafka keys idempotence on it. */
export const InitProducerId = {
  apiKey: 22,
  name: 'InitProducerId',
  validVersions: [0, 1],
  flexibleVersions: null,
  request: [
    { name: 'transactionalId', type: 'string', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', default: 0 },
    { name: 'errorCode', type: 'int16' },
    { name: 'producerId', type: 'int64', default: -1 },
    { name: 'producerEpoch', type: 'int16' },
  ],
} as const satisfies ApiSchema;

export type InitProducerIdRequest = RequestOf<typeof InitProducerId>;
export type InitProducerIdResponse = ResponseOf<typeof InitProducerId>;
export type InitProducerIdRequestInput = RequestInput<typeof InitProducerId>;
export type InitProducerIdResponseInput = ResponseInput<typeof InitProducerId>;
