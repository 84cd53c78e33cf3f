/** Test-only: temp directories, a settable clock and small-config logs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '@rill/base';
import { type LogConfig, defaultLogConfig } from '../config.js';
import { Log } from '../log.js';

export class ManualClock implements Clock {
  constructor(
    public monotonicMs = 1_000,
    public epochMs = 1_700_000_000_000,
  ) {}

  nowMs(): number {
    return this.monotonicMs;
  }

  wallMs(): number {
    return this.epochMs;
  }

  advance(ms: number): void {
    this.monotonicMs += ms;
    this.epochMs += ms;
  }
}

const made: string[] = [];

export function tempDir(prefix = 'rill-storage-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Call from afterEach. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export const smallConfig: LogConfig = {
  ...defaultLogConfig,
  segmentBytes: 64 * 1024,
  indexIntervalBytes: 512,
  retentionMs: -1,
};

export function openLog(dir: string, config: Partial<LogConfig> = {}, clock?: Clock): Promise<Log> {
  return Log.open({ dir, config: { ...smallConfig, ...config }, clock });
}

/** The one segment file of a directory with the highest base offset. */
export function lastSegmentFile(dir: string): string {
  const logs = fs.readdirSync(dir).filter((name) => name.endsWith('.log')).sort();
  return path.join(dir, logs[logs.length - 1]);
}

/** Reads every batch of the log from its start, as one buffer. */
export function readAll(log: Log): Buffer {
  const parts: Buffer[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const result = log.read(offset, { maxBytes: 1024 * 1024 });
    if (result.kind !== 'records') throw new Error(`out of range at ${offset}`);
    parts.push(result.records);
    offset = result.nextOffset;
  }
  return Buffer.concat(parts);
}
