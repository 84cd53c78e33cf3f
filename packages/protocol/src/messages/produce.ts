import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** Produce (0). v0–2 are advertised for librdkafka's compression check but never served. */
export const Produce = {
  apiKey: 0,
  name: 'Produce',
  validVersions: [0, 7],
  flexibleVersions: null,
  request: [
    { name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'acks', type: 'int16' },
    { name: 'timeoutMs', type: 'int32' },
    {
      name: 'topicData',
      type: 'array',
      fields: [
        { name: 'name', type: 'string' },
        {
          name: 'partitionData',
          type: 'array',
          fields: [
            { name: 'index', type: 'int32' },
            { name: 'records', type: 'records', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
  response: [
    {
      name: 'responses',
      type: 'array',
      fields: [
        { name: 'name', type: 'string' },
        {
          name: 'partitionResponses',
          type: 'array',
          fields: [
            { name: 'index', type: 'int32' },
            { name: 'errorCode', type: 'int16' },
            { name: 'baseOffset', type: 'int64' },
            { name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1 },
            { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
          ],
        },
      ],
    },
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
  ],
} as const satisfies ApiSchema;

export type ProduceRequest = RequestOf<typeof Produce>;
export type ProduceResponse = ResponseOf<typeof Produce>;
export type ProduceRequestInput = RequestInput<typeof Produce>;
export type ProduceResponseInput = ResponseInput<typeof Produce>;
