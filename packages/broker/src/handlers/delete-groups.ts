import { DeleteGroups, ErrorCode } from '@rill/protocol';
import { groupsPerRequestMax } from '../limits.js';
import { defineHandler } from './handler.js';

/**
 * DeleteGroups v0–1: an Empty group goes, with tombstones for it and its offsets, answered
 * once they are replicated; a group with members gets NON_EMPTY_GROUP, an unknown one
 * GROUP_ID_NOT_FOUND; groups past groupsPerRequestMax in one request INVALID_REQUEST.
 */
export const deleteGroupsHandler = defineHandler({
  schema: DeleteGroups,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, context) {
    const names = request.groupsNames;
    const results = await context.services.groups.deleteGroups(names.slice(0, groupsPerRequestMax));
    const refused = names.slice(groupsPerRequestMax).map((groupId) => ({ groupId, errorCode: ErrorCode.INVALID_REQUEST }));
    return { throttleTimeMs: 0, results: [...results, ...refused].map((r) => ({ groupId: r.groupId, errorCode: r.errorCode })) };
  },
});
