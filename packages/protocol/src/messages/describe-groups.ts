import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** DescribeGroups (15), v0–2. */
export const DescribeGroups = {
  apiKey: 15,
  name: 'DescribeGroups',
  validVersions: [0, 2],
  flexibleVersions: null,
  request: [{ name: 'groups', type: 'string[]' }],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
    {
      name: 'groups',
      type: 'array',
      fields: [
        { name: 'errorCode', type: 'int16' },
        { name: 'groupId', type: 'string' },
        { name: 'groupState', type: 'string' },
        { name: 'protocolType', type: 'string' },
        { name: 'protocolData', type: 'string' },
        {
          name: 'members',
          type: 'array',
          fields: [
            { name: 'memberId', type: 'string' },
            { name: 'clientId', type: 'string' },
            { name: 'clientHost', type: 'string' },
            { name: 'memberMetadata', type: 'bytes' },
            { name: 'memberAssignment', type: 'bytes' },
          ],
        },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type DescribeGroupsRequest = RequestOf<typeof DescribeGroups>;
export type DescribeGroupsResponse = ResponseOf<typeof DescribeGroups>;
export type DescribeGroupsRequestInput = RequestInput<typeof DescribeGroups>;
export type DescribeGroupsResponseInput = ResponseInput<typeof DescribeGroups>;
