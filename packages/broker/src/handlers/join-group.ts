import { JoinGroup } from '@rill/protocol';
import { defineHandler } from './handler.js';

/**
 * JoinGroup v0–4 (v5 carries group.instance.id: no static membership yet). The answer waits
 * until the rebalance completes. v0 has no rebalance timeout: the session timeout is used,
 * as Kafka does; from v4 an unknown member first gets MEMBER_ID_REQUIRED (KIP-394).
 */
export const joinGroupHandler = defineHandler({
  schema: JoinGroup,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, context) {
    const result = await context.services.groups.join({
      groupId: request.groupId,
      memberId: request.memberId,
      clientId: context.clientId ?? '',
      clientHost: clientHost(context.connection.remoteAddress),
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: context.apiVersion === 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      requireKnownMemberId: context.apiVersion >= 4,
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolName: result.protocolName,
      leader: result.leaderId,
      memberId: result.memberId,
      members: result.members.map((m) => ({ memberId: m.memberId, metadata: m.metadata })),
    };
  },
});

/** Kafka shows a member's host as "/" and its address, without the port. */
export function clientHost(remoteAddress: string): string {
  const colon = remoteAddress.lastIndexOf(':');
  return `/${colon > 0 ? remoteAddress.slice(0, colon) : remoteAddress}`;
}
