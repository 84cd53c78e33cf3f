import { StorageError } from './errors.js';
import { segmentBytesMax } from './limits.js';

/** Kafka's per-log settings that storage acts on; names mirror the Kafka properties. */
export interface LogConfig {
  /** log.segment.bytes: roll the active segment before it would exceed this. */
  segmentBytes: number;
  /** log.roll.ms / segment.ms: roll a segment this long after its first append. */
  segmentMs: number;
  /** log.retention.ms: delete segments whose newest timestamp is older (-1 = forever). */
  retentionMs: number;
  /** log.retention.bytes: delete the oldest segments beyond this total (-1 = unlimited). */
  retentionBytes: number;
  /** log.index.interval.bytes: bytes appended between two offset-index entries. */
  indexIntervalBytes: number;
  /** log.flush.interval.messages: fdatasync after this many unflushed records. */
  flushIntervalMessages: number;
  /** log.flush.interval.ms: fdatasync when the oldest unflushed record is this old. */
  flushIntervalMs: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/** Kafka's defaults: flushing is left to the OS, durability comes from replication. */
export const defaultLogConfig: LogConfig = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * dayMs,
  retentionMs: 7 * dayMs,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  flushIntervalMessages: Number.MAX_SAFE_INTEGER,
  flushIntervalMs: Number.MAX_SAFE_INTEGER,
});

/** Config arrives from operators, so a bad value is an input error, not an assertion. */
export function validateLogConfig(config: LogConfig): void {
  const checks: Array<[keyof LogConfig, boolean]> = [
    ['segmentBytes', isInt(config.segmentBytes, 1) && config.segmentBytes <= segmentBytesMax],
    ['segmentMs', isInt(config.segmentMs, 1)],
    ['retentionMs', isInt(config.retentionMs, -1)],
    ['retentionBytes', isInt(config.retentionBytes, -1)],
    ['indexIntervalBytes', isInt(config.indexIntervalBytes, 0)],
    ['flushIntervalMessages', isInt(config.flushIntervalMessages, 1)],
    ['flushIntervalMs', isInt(config.flushIntervalMs, 0)],
  ];
  for (const [key, ok] of checks) {
    if (!ok) throw new StorageError('invalid_config', `invalid ${key}: ${String(config[key])}`);
  }
}

function isInt(value: number, min: number): boolean {
  return Number.isSafeInteger(value) && value >= min;
}
