import { SyncGroup } from '@rill/protocol';
import { defineHandler } from './handler.js';

/**
 * SyncGroup v0–2. Followers wait for the leader's assignment; it is persisted before anyone
 * gets it, and each member gets its own bytes exactly as the leader sent them.
 */
export const syncGroupHandler = defineHandler({
  schema: SyncGroup,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, context) {
    const result = await context.services.groups.sync({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      assignments: request.assignments,
    });
    return { throttleTimeMs: 0, errorCode: result.errorCode, assignment: result.assignment };
  },
});
