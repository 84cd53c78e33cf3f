import type { Readable, Writable } from 'node:stream';
import { consoleLogger } from '../logger.js';
import type { ClusterOptions } from '../cluster/cluster.js';
import { UsageError } from './exit-codes.js';

export type OutputFormat = 'text' | 'json';

/** The process's streams and environment, passed in so commands never reach for globals. */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
  readonly env: NodeJS.ProcessEnv;
}

/** Options every command accepts. */
export interface GlobalOptions {
  readonly brokers?: string;
  readonly format: OutputFormat;
  readonly clientId: string;
  readonly requestTimeoutMs: string;
  readonly verbose?: boolean;
}

export const DEFAULT_BROKERS = 'localhost:9092';

/** Brokers from -b, else RILL_BROKERS, else localhost:9092 (like rpk's REDPANDA_BROKERS). */
export function brokersFrom(globals: GlobalOptions, env: NodeJS.ProcessEnv): string[] {
  const text = globals.brokers ?? env['RILL_BROKERS'] ?? DEFAULT_BROKERS;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function clientOptions(globals: GlobalOptions, io: CliIo): ClusterOptions {
  return {
    brokers: brokersFrom(globals, io.env),
    clientId: globals.clientId,
    requestTimeoutMs: parseInteger('--request-timeout-ms', globals.requestTimeoutMs, 1),
    connectTimeoutMs: Math.min(
      10_000,
      parseInteger('--request-timeout-ms', globals.requestTimeoutMs, 1),
    ),
    // Library warnings (e.g. idempotence unavailable) would repeat on every scripted call;
    // -v shows them and everything else.
    logger: globals.verbose ? consoleLogger('debug') : consoleLogger('error'),
    retry: { retries: 3 },
  };
}

export function parseInteger(
  flag: string,
  text: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** `k=v` pairs from repeated options into a record; a pair without '=' is a usage error. */
export function parsePairs(flag: string, pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} takes key=value, got "${pair}"`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
