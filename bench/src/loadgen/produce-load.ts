import { ApiKey, ErrorCode, decodeResponse, encodeRequest, type ProduceResponse } from '@rill/protocol';
import { PipelinedConnection } from './pipelined-connection.js';
import { Samples } from '../stats.js';

export interface ProduceLoadOptions {
  readonly port: number;
  readonly topic: string;
  readonly batches: readonly Buffer[];
  readonly recordsPerBatch: number;
  readonly inFlight: number;
  readonly durationMs: number;
  readonly bytesMax: number;
}

export interface ProduceLoadResult {
  readonly requests: number;
  readonly bytes: number;
  readonly records: number;
  readonly elapsedMs: number;
  readonly latencyMs: Samples;
}

/**
 * Max-rate produce with acks=1: `inFlight` pre-encoded requests are always outstanding. Each
 * request carries one batch per partition. Frames are reused only after their response came
 * back (so the broker has read them), which lets the bench patch correlation ids in place.
 */
export async function runProduceLoad(options: ProduceLoadOptions): Promise<ProduceLoadResult> {
  const connection = await PipelinedConnection.open(options.port);
  const frames = Array.from({ length: options.inFlight }, (_, i) => produceFrame(options, i + 1));
  const requestBytes = options.batches.reduce((sum, b) => sum + b.length, 0);
  const latencyMs = new Samples();
  let requests = 0;
  let sent = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let outstanding = 0;
    const sendNext = (frame: Buffer): void => {
      const elapsed = performance.now() - started;
      if (elapsed >= options.durationMs || sent * requestBytes >= options.bytesMax) {
        if (outstanding === 0) resolve();
        return;
      }
      sent++;
      outstanding++;
      frame.writeInt32BE(sent, 8);
      const sentAt = performance.now();
      connection.send(frame, (response) => {
        outstanding--;
        latencyMs.add(performance.now() - sentAt);
        const error = firstError(decodeResponse(ApiKey.Produce, 7, response).body);
        if (error !== ErrorCode.NONE) return reject(new Error(`produce failed with error code ${error}`));
        requests++;
        sendNext(frame);
      });
    };
    for (const frame of frames) sendNext(frame);
  });
  const elapsedMs = performance.now() - started;
  connection.close();
  return { requests, bytes: requests * requestBytes, records: requests * options.recordsPerBatch * options.batches.length, elapsedMs, latencyMs };
}

function produceFrame(options: ProduceLoadOptions, correlationId: number): Buffer {
  return encodeRequest(ApiKey.Produce, 7, { correlationId, clientId: 'rill-bench' }, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 30_000,
    topicData: [{
      name: options.topic,
      partitionData: options.batches.map((records, index) => ({ index, records })),
    }],
  } as never);
}

function firstError(response: ProduceResponse): number {
  for (const topic of response.responses) {
    for (const partition of topic.partitionResponses) if (partition.errorCode !== ErrorCode.NONE) return partition.errorCode;
  }
  return ErrorCode.NONE;
}
