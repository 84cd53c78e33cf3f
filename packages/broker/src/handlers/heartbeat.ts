import { Heartbeat } from '@rill/protocol';
import { defineHandler } from './handler.js';

/** Heartbeat v0–2: keeps a member's session, and tells it when to rejoin (REBALANCE_IN_PROGRESS). */
export const heartbeatHandler = defineHandler({
  schema: Heartbeat,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, context) {
    const errorCode = await context.services.groups.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
    });
    return { throttleTimeMs: 0, errorCode };
  },
});
