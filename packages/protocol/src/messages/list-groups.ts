import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** ListGroups (16), v0–2: the request has no fields before v4. */
export const ListGroups = {
  apiKey: 16,
  name: 'ListGroups',
  validVersions: [0, 2],
  flexibleVersions: null,
  request: [],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
    { name: 'errorCode', type: 'int16' },
    {
      name: 'groups',
      type: 'array',
      fields: [
        { name: 'groupId', type: 'string' },
        { name: 'protocolType', type: 'string' },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type ListGroupsRequest = RequestOf<typeof ListGroups>;
export type ListGroupsResponse = ResponseOf<typeof ListGroups>;
export type ListGroupsRequestInput = RequestInput<typeof ListGroups>;
export type ListGroupsResponseInput = ResponseInput<typeof ListGroups>;
