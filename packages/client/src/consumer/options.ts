import { InvalidArgumentError } from '../errors.js';
import { fetchBufferBytesMax } from '../limits.js';
import type { ClusterOptions } from '../cluster/cluster.js';

export type OffsetReset = 'earliest' | 'latest' | 'none';
export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky';

export interface ConsumerOptions extends ClusterOptions {
  /** Joins this consumer group on subscribe() and commits offsets for it. */
  readonly groupId?: string;
  /** Where to start without a committed offset, or after OFFSET_OUT_OF_RANGE (auto.offset.reset), default 'latest'. */
  readonly autoOffsetReset?: OffsetReset;
  /** Commit processed offsets every autoCommitIntervalMs and on close/rebalance (default true with a group). */
  readonly autoCommit?: boolean;
  readonly autoCommitIntervalMs?: number;
  /** Long-poll time of a fetch (fetch.max.wait.ms), default 500 ms. */
  readonly maxWaitMs?: number;
  /** Bytes a fetch waits for (fetch.min.bytes), default 1. */
  readonly minBytes?: number;
  /** Bytes one fetch response may carry (fetch.max.bytes), default 50 MiB. */
  readonly maxBytes?: number;
  /** Bytes per partition in one fetch (max.partition.fetch.bytes), default 1 MiB. */
  readonly maxPartitionBytes?: number;
  /** Fetched bytes held for the application at most; fetching pauses beyond it. Default 64 MiB. */
  readonly maxBufferedBytes?: number;
  readonly isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** Group membership (session.timeout.ms, max.poll.interval.ms, heartbeat.interval.ms). */
  readonly sessionTimeoutMs?: number;
  readonly rebalanceTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Assignors offered to the group, preferred first (partition.assignment.strategy). */
  readonly assignors?: readonly AssignorName[];
}

export interface ResolvedConsumerOptions {
  readonly groupId: string | null;
  readonly autoOffsetReset: OffsetReset;
  readonly autoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly maxPartitionBytes: number;
  readonly maxBufferedBytes: number;
  readonly isolationLevel: 0 | 1;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly assignors: readonly AssignorName[];
}

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(
      `${name} must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

const INT32_MAX = 2 ** 31 - 1;

export function resolveConsumerOptions(options: ConsumerOptions): ResolvedConsumerOptions {
  const groupId = options.groupId ?? null;
  if (groupId === '') throw new InvalidArgumentError('groupId must not be empty');
  const autoOffsetReset = options.autoOffsetReset ?? 'latest';
  if (!['earliest', 'latest', 'none'].includes(autoOffsetReset)) {
    throw new InvalidArgumentError(
      `autoOffsetReset must be 'earliest', 'latest' or 'none', got ${String(autoOffsetReset)}`,
    );
  }
  const maxBytes = integer('maxBytes', options.maxBytes ?? 50 * 1024 * 1024, 1, INT32_MAX);
  const assignors = options.assignors ?? ['range', 'cooperative-sticky'];
  if (assignors.length === 0)
    throw new InvalidArgumentError('assignors must name at least one assignor');
  const sessionTimeoutMs = integer(
    'sessionTimeoutMs',
    options.sessionTimeoutMs ?? 45_000,
    1,
    INT32_MAX,
  );
  return {
    groupId,
    autoOffsetReset,
    autoCommit: groupId !== null && (options.autoCommit ?? true),
    autoCommitIntervalMs: integer(
      'autoCommitIntervalMs',
      options.autoCommitIntervalMs ?? 5000,
      1,
      INT32_MAX,
    ),
    maxWaitMs: integer('maxWaitMs', options.maxWaitMs ?? 500, 0, INT32_MAX),
    minBytes: integer('minBytes', options.minBytes ?? 1, 0, INT32_MAX),
    maxBytes,
    maxPartitionBytes: integer(
      'maxPartitionBytes',
      options.maxPartitionBytes ?? 1024 * 1024,
      1,
      INT32_MAX,
    ),
    maxBufferedBytes: integer(
      'maxBufferedBytes',
      options.maxBufferedBytes ?? 64 * 1024 * 1024,
      1,
      fetchBufferBytesMax,
    ),
    isolationLevel: options.isolationLevel === 'read_committed' ? 1 : 0,
    sessionTimeoutMs,
    rebalanceTimeoutMs: integer(
      'rebalanceTimeoutMs',
      options.rebalanceTimeoutMs ?? 300_000,
      1,
      INT32_MAX,
    ),
    heartbeatIntervalMs: integer(
      'heartbeatIntervalMs',
      options.heartbeatIntervalMs ?? Math.min(3000, Math.floor(sessionTimeoutMs / 3)),
      1,
      sessionTimeoutMs,
    ),
    assignors,
  };
}
