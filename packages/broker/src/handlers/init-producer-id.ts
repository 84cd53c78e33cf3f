import { ErrorCode, InitProducerId, type InitProducerIdResponseInput } from '@rill/protocol';
import { defineHandler } from './handler.js';

/**
 * How long a request waits for a block of ids from the active controller before it is
 * answered COORDINATOR_LOAD_IN_PROGRESS, which producers retry (Kafka answers it at once).
 */
const blockWaitMs = 5000;

/**
 * InitProducerId v0–1 for idempotent producers (v0 must be advertised: librdkafka enables
 * idempotence only then). Any broker answers: kafkajs sends it to Metadata's controller id,
 * which is the answering broker. A non-transactional producer gets a fresh id from this
 * broker's block, epoch 0. Transactions are not served: a transactional id is answered
 * UNSUPPORTED_VERSION, which Kafka clients read as "this broker has no transactions"; an
 * empty one is INVALID_REQUEST, as in Kafka.
 */
export const initProducerIdHandler = defineHandler({
  schema: InitProducerId,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, context) {
    if (request.transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
    if (request.transactionalId !== null) return failed(ErrorCode.UNSUPPORTED_VERSION);
    const producerId = await context.services.producerIds.next(blockWaitMs);
    if (producerId === null) return failed(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  },
});

function failed(errorCode: ErrorCode): InitProducerIdResponseInput {
  return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
}
