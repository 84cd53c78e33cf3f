import { InvalidArgumentError } from '../errors.js';
import { batchBytesMax, bufferMemoryBytesMax, inFlightRequestsMax } from '../limits.js';
import type { ClusterOptions } from '../cluster/cluster.js';
import type { Partitioner } from './partitioner.js';
import type { Compression } from './producer-batch.js';

export type Acks = 0 | 1 | -1 | 'all';

export interface ProducerOptions extends ClusterOptions {
  /** 0: no answer; 1: the leader wrote it; 'all'/-1 (default): every in-sync replica has it. */
  readonly acks?: Acks;
  /**
   * Exactly-once delivery per partition across retries (KIP-98). On by default; a cluster
   * that does not serve InitProducerId then gets one warning and plain produce. Setting it
   * true explicitly makes that case an error instead. Requires acks 'all'.
   */
  readonly idempotent?: boolean;
  /** Upper bound of one batch in bytes (batch.size), default 16 KiB. */
  readonly batchSize?: number;
  /** How long a batch that is not full waits for more records (linger.ms), default 5 ms. */
  readonly lingerMs?: number;
  /** Memory for batches not yet acknowledged (buffer.memory), default 32 MiB; send() waits when it is used up. */
  readonly bufferMemoryBytes?: number;
  /** Largest Produce request (max.request.size), default 1 MiB; also the largest record. */
  readonly maxRequestSize?: number;
  /** Give up on a record this long after send() (delivery.timeout.ms), default 120 s. */
  readonly deliveryTimeoutMs?: number;
  /** How long send() may wait for metadata or memory (max.block.ms), default 60 s. */
  readonly maxBlockMs?: number;
  readonly compression?: Compression;
  readonly partitioner?: Partitioner;
  /** Retries of a failed batch (retries), default unlimited within deliveryTimeoutMs. */
  readonly retries?: number;
}

export interface ResolvedProducerOptions {
  readonly acks: 0 | 1 | -1;
  readonly idempotence: 'required' | 'preferred' | 'off';
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly bufferMemoryBytes: number;
  readonly maxRequestSize: number;
  readonly deliveryTimeoutMs: number;
  readonly maxBlockMs: number;
  readonly compression: Compression;
  readonly maxInFlightRequests: number;
  readonly retries: number;
}

function positiveInteger(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}

export function resolveProducerOptions(options: ProducerOptions): ResolvedProducerOptions {
  const acks = options.acks === 'all' || options.acks === undefined ? -1 : options.acks;
  if (acks !== 0 && acks !== 1 && acks !== -1)
    throw new InvalidArgumentError(`acks must be 0, 1, -1 or 'all', got ${String(options.acks)}`);
  const maxInFlightRequests = positiveInteger(
    'maxInFlightRequests',
    options.maxInFlightRequests ?? 5,
    inFlightRequestsMax,
  );
  const idempotence = resolveIdempotence(options.idempotent, acks, maxInFlightRequests);
  const bufferMemoryBytes = positiveInteger(
    'bufferMemoryBytes',
    options.bufferMemoryBytes ?? 32 * 1024 * 1024,
    bufferMemoryBytesMax,
  );
  const maxRequestSize = positiveInteger(
    'maxRequestSize',
    options.maxRequestSize ?? 1024 * 1024,
    batchBytesMax,
  );
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 16 * 1024, batchBytesMax);
  if (batchSize > maxRequestSize || maxRequestSize > bufferMemoryBytes) {
    throw new InvalidArgumentError(
      `need batchSize (${batchSize}) <= maxRequestSize (${maxRequestSize}) <= bufferMemoryBytes (${bufferMemoryBytes})`,
    );
  }
  const lingerMs = options.lingerMs ?? 5;
  if (!Number.isInteger(lingerMs) || lingerMs < 0)
    throw new InvalidArgumentError(`lingerMs must be an integer >= 0, got ${lingerMs}`);
  const compression = options.compression ?? 'none';
  if (compression !== 'none' && compression !== 'gzip') {
    throw new InvalidArgumentError(
      `compression must be 'none' or 'gzip', got ${String(compression)}`,
    );
  }
  return {
    acks,
    idempotence,
    batchSize,
    lingerMs,
    bufferMemoryBytes,
    maxRequestSize,
    deliveryTimeoutMs: positiveInteger(
      'deliveryTimeoutMs',
      options.deliveryTimeoutMs ?? 120_000,
      2 ** 31 - 1,
    ),
    maxBlockMs: positiveInteger('maxBlockMs', options.maxBlockMs ?? 60_000, 2 ** 31 - 1),
    compression,
    maxInFlightRequests,
    retries: resolveRetries(options.retries),
  };
}

/** Java's rule: idempotence needs acks=all and at most 5 in flight; if only implied, conflicts turn it off. */
function resolveIdempotence(
  explicit: boolean | undefined,
  acks: number,
  maxInFlight: number,
): ResolvedProducerOptions['idempotence'] {
  if (explicit === false) return 'off';
  const conflict =
    acks !== -1 ? `acks=${acks}` : maxInFlight > 5 ? `maxInFlightRequests=${maxInFlight}` : null;
  if (explicit === true) {
    if (conflict !== null)
      throw new InvalidArgumentError(
        `idempotent: true needs acks 'all' and maxInFlightRequests <= 5, got ${conflict}`,
      );
    return 'required';
  }
  return conflict === null ? 'preferred' : 'off';
}

function resolveRetries(retries: number | undefined): number {
  if (retries === undefined) return Infinity;
  if (!(Number.isInteger(retries) && retries >= 0) && retries !== Infinity) {
    throw new InvalidArgumentError(`retries must be an integer >= 0 or Infinity, got ${retries}`);
  }
  return retries;
}
