import { ErrorCode, FindCoordinator } from '@rill/protocol';
import { defineHandler } from './handler.js';

const groupKeyType = 0;
const transactionKeyType = 1;

/**
 * FindCoordinator v0–2 (v0 must stay: librdkafka enables consumer groups only if it is
 * advertised). A group's coordinator is the leader of its __consumer_offsets partition; the
 * topic is created on the first request, as Kafka does. Transactions are not served.
 */
export const findCoordinatorHandler = defineHandler({
  schema: FindCoordinator,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, context) {
    if (request.keyType !== groupKeyType) {
      const transactional = request.keyType === transactionKeyType;
      return {
        throttleTimeMs: 0,
        errorCode: transactional ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.INVALID_REQUEST,
        errorMessage: transactional ? 'transactions are not supported' : `unknown coordinator type ${request.keyType}`,
        nodeId: -1,
        host: '',
        port: -1,
      };
    }
    const found = await context.services.groups.findCoordinator(request.key, context.connection.listenerName);
    return { throttleTimeMs: 0, ...found };
  },
});
