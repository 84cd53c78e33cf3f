import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** DeleteGroups (42), v0–1. */
export const DeleteGroups = {
  apiKey: 42,
  name: 'DeleteGroups',
  validVersions: [0, 1],
  flexibleVersions: null,
  request: [{ name: 'groupsNames', type: 'string[]' }],
  response: [
    { name: 'throttleTimeMs', type: 'int32', default: 0 },
    {
      name: 'results',
      type: 'array',
      fields: [
        { name: 'groupId', type: 'string' },
        { name: 'errorCode', type: 'int16' },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type DeleteGroupsRequest = RequestOf<typeof DeleteGroups>;
export type DeleteGroupsResponse = ResponseOf<typeof DeleteGroups>;
export type DeleteGroupsRequestInput = RequestInput<typeof DeleteGroups>;
export type DeleteGroupsResponseInput = ResponseInput<typeof DeleteGroups>;
