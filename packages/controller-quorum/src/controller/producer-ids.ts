import { nextProducerId, type MetadataImage } from '../metadata/image.js';
import { producerIdBlockSize } from '../metadata/limits.js';
import { ErrorCode as Code } from '@rill/protocol';
import type { ControllerResult } from './result.js';

export interface AllocateProducerIdsResponse {
  readonly errorCode: number;
  readonly producerIdStart: number;
  readonly producerIdLen: number;
}

/**
 * AllocateProducerIds: the next block of ids for one broker. Blocks follow each other in
 * log order, so no two brokers (and no broker before and after a restart) ever share an id.
 */
export function allocateProducerIds(
  image: MetadataImage,
  brokerId: number,
): ControllerResult<AllocateProducerIdsResponse> {
  const refuse = (errorCode: number) => ({
    records: [],
    response: { errorCode, producerIdStart: -1, producerIdLen: 0 },
  });
  if (!image.cluster.brokers.has(brokerId)) return refuse(Code.BROKER_ID_NOT_REGISTERED);
  const firstProducerId = nextProducerId(image.producerIds);
  // Producer ids are int64 on the wire; ours stay exact numbers, so stop below 2^53.
  if (firstProducerId + producerIdBlockSize > Number.MAX_SAFE_INTEGER)
    return refuse(Code.UNKNOWN_SERVER_ERROR);
  return {
    records: [{ type: 'producerIdsBlock', brokerId, firstProducerId, size: producerIdBlockSize }],
    response: {
      errorCode: Code.NONE,
      producerIdStart: firstProducerId,
      producerIdLen: producerIdBlockSize,
    },
  };
}
