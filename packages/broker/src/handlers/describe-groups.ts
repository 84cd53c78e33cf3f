import { DescribeGroups, ErrorCode } from '@rill/protocol';
import type { GroupDescription } from '../groups/core-types.js';
import { groupsPerRequestMax } from '../limits.js';
import { defineHandler } from './handler.js';

/**
 * DescribeGroups v0–2. A group this broker does not know is answered Dead with no error,
 * as Kafka does; member metadata and assignments are shown only for a Stable group. Groups
 * past groupsPerRequestMax in one request get INVALID_REQUEST.
 */
export const describeGroupsHandler = defineHandler({
  schema: DescribeGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(request, context) {
    const { groups } = context.services;
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId, position) => {
        const d = position < groupsPerRequestMax ? groups.describeGroup(groupId) : tooMany;
        return {
          errorCode: d.errorCode,
          groupId,
          groupState: d.state,
          protocolType: d.protocolType,
          protocolData: d.protocolName,
          members: d.members.map((m) => ({
            memberId: m.memberId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
        };
      }),
    };
  },
});

const tooMany: GroupDescription = { errorCode: ErrorCode.INVALID_REQUEST, groupId: '', state: '', protocolType: '', protocolName: '', members: [] };
