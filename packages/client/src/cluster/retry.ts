import { isRetriable } from '../errors.js';

export interface RetryOptions {
  /** Attempts after the first; Infinity bounds retries by `deadlineMs` alone. */
  readonly retries: number;
  /** First pause (retry.backoff.ms); doubles per attempt up to maxBackoffMs (retry.backoff.max.ms). */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const defaultRetry: RetryOptions = { retries: 5, initialBackoffMs: 100, maxBackoffMs: 1000 };

/** Backoff before retry number `attempt` (1-based), with ±20 % jitter so clients spread out. */
export function backoffMs(
  options: RetryOptions,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    options.maxBackoffMs,
    options.initialBackoffMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RetryRun {
  /** Monotonic time after which no new attempt starts. */
  readonly deadlineMs?: number;
  /** Called before each pause with the error that caused it (refresh metadata, log…). */
  readonly onRetry?: (error: unknown, attempt: number) => void | Promise<void>;
  /** Errors this call may retry besides retriable ones (e.g. a coordinator change). */
  readonly shouldRetry?: (error: unknown) => boolean;
}

/** Runs `operation`, retrying retriable failures with exponential backoff. */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
  run: RetryRun = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const retriable = isRetriable(error) || (run.shouldRetry?.(error) ?? false);
      const pause = backoffMs(options, attempt + 1);
      const late = run.deadlineMs !== undefined && performance.now() + pause > run.deadlineMs;
      if (!retriable || attempt >= options.retries || late) throw error;
      await run.onRetry?.(error, attempt + 1);
      await delay(pause);
    }
  }
}
