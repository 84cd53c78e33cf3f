import {
  ApiKey,
  ErrorCode,
  batchHeaderBytes,
  batchSizeOf,
  decodeResponse,
  encodeRequest,
  readBatchHeader,
 } from '@rill/protocol';
import { PipelinedConnection } from './pipelined-connection.js';

export interface ConsumeLoadResult {
  readonly bytes: number;
  readonly elapsedMs: number;
}

const fetchBytesMax = 16 * 1024 * 1024;

/**
 * Reads every partition from offset 0 to its end with sequential Fetch requests, as a
 * consumer catching up from the page cache would.
 */
export async function runConsumeLoad(options: { port: number; topic: string; partitions: number; endOffsets: readonly number[] }): Promise<ConsumeLoadResult> {
  const connection = await PipelinedConnection.open(options.port);
  const positions = Array.from({ length: options.partitions }, () => 0);
  let bytes = 0;
  let correlationId = 1;
  const started = performance.now();
  while (positions.some((p, i) => p < options.endOffsets[i]!)) {
    const frame = encodeRequest(ApiKey.Fetch, 11, { correlationId: correlationId++, clientId: 'rill-bench' }, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: fetchBytesMax, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{
        topic: options.topic,
        partitions: positions.map((fetchOffset, partition) => ({
          partition, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1, partitionMaxBytes: fetchBytesMax / options.partitions,
        })),
      }],
      forgottenTopicsData: [], rackId: '',
    } as never);
    const response = decodeResponse(ApiKey.Fetch, 11, await connection.request(frame)).body;
    for (const partition of response.responses[0]!.partitions) {
      if (partition.errorCode !== ErrorCode.NONE) throw new Error(`fetch failed with error code ${partition.errorCode}`);
      const records = partition.records ?? Buffer.alloc(0);
      bytes += records.length;
      const next = nextOffsetAfter(records);
      if (next !== null) positions[partition.partitionIndex] = next;
    }
  }
  const elapsedMs = performance.now() - started;
  connection.close();
  return { bytes, elapsedMs };
}

/** The offset after the last whole batch in a fetched records blob. */
function nextOffsetAfter(records: Buffer): number | null {
  let next: number | null = null;
  for (let position = 0; records.length - position >= batchHeaderBytes; ) {
    const header = readBatchHeader(records, position);
    position += batchSizeOf(header);
    if (position > records.length) break;
    next = header.baseOffset + header.lastOffsetDelta + 1;
  }
  return next;
}
