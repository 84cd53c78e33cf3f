import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** DeleteTopics (20), v0–3. */
export const DeleteTopics = {
  apiKey: 20,
  name: 'DeleteTopics',
  validVersions: [0, 3],
  flexibleVersions: null,
  request: [
    { name: 'topicNames', type: 'string[]' },
    { name: 'timeoutMs', type: 'int32' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
    {
      name: 'responses',
      type: 'array',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'errorCode', type: 'int16' },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type DeleteTopicsRequest = RequestOf<typeof DeleteTopics>;
export type DeleteTopicsResponse = ResponseOf<typeof DeleteTopics>;
export type DeleteTopicsRequestInput = RequestInput<typeof DeleteTopics>;
export type DeleteTopicsResponseInput = ResponseInput<typeof DeleteTopics>;
