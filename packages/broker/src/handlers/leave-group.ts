import { LeaveGroup } from '@rill/protocol';
import { defineHandler } from './handler.js';

/** LeaveGroup v0–2, one member per request (v3 takes several, with group.instance.id). */
export const leaveGroupHandler = defineHandler({
  schema: LeaveGroup,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, context) {
    const errorCode = await context.services.groups.leave({ groupId: request.groupId, memberId: request.memberId });
    return { throttleTimeMs: 0, errorCode };
  },
});
