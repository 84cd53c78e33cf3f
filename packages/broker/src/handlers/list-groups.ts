import { ListGroups } from '@rill/protocol';
import { defineHandler } from './handler.js';

/** ListGroups v0–2: the groups this broker coordinates (clients ask every broker). */
export const listGroupsHandler = defineHandler({
  schema: ListGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(_request, context) {
    const listing = context.services.groups.listGroups();
    return { throttleTimeMs: 0, errorCode: listing.errorCode, groups: listing.groups.map((g) => ({ ...g })) };
  },
});
