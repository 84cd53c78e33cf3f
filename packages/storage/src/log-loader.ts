/**
 * Opens a partition directory: lists the segments, decides from the clean-shutdown marker
 * and the recovery point which ones to check batch by batch, and keeps the log dense —
 * after a segment that had to be cut, or one that does not continue its predecessor,
 * every later segment is deleted (its offsets could no longer follow on).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  hasCleanShutdownMarker,
  readRecoveryPoint,
  removeCleanShutdownMarker,
  writeRecoveryPoint,
} from './checkpoint.js';
import type { LogConfig } from './config.js';
import { fsyncDirectory } from './file-io.js';
import { openSegment } from './recovery.js';
import { Segment, parseSegmentLogName, segmentPaths } from './segment.js';

export interface RecoveryReport {
  cleanShutdown: boolean;
  /** Recovery point read from disk (0 when absent). */
  storedRecoveryPoint: number;
  segmentsRecovered: number;
  truncatedBytes: number;
  deletedSegments: number;
  /** Segments whose index files failed their checks and were rebuilt. */
  indexesRebuilt: number;
}

export interface LoadedLog {
  segments: Segment[];
  recoveryPoint: number;
  report: RecoveryReport;
}

export async function loadLog(dir: string, config: LogConfig): Promise<LoadedLog> {
  await fs.promises.mkdir(dir, { recursive: true });
  const bases = await listSegmentBases(dir);
  const cleanShutdown = hasCleanShutdownMarker(dir);
  const storedRecoveryPoint = readRecoveryPoint(dir);
  const report: RecoveryReport = {
    cleanShutdown,
    storedRecoveryPoint,
    segmentsRecovered: 0,
    truncatedBytes: 0,
    deletedSegments: 0,
    indexesRebuilt: 0,
  };
  const segments = openSegments({ dir, config, bases, report });
  if (segments.length === 0) segments.push(Segment.create(dir, 0, config.indexIntervalBytes));
  const logEndOffset = segments[segments.length - 1].nextOffset;
  if (cleanShutdown) await removeCleanShutdownMarker(dir);
  else await fsyncDirectory(dir);
  // Recovery may have cut below the stored point: lower it on disk before any append.
  if (storedRecoveryPoint > logEndOffset) await writeRecoveryPoint(dir, logEndOffset);
  const recoveryPoint = cleanShutdown ? logEndOffset : Math.min(storedRecoveryPoint, logEndOffset);
  return { segments, recoveryPoint, report };
}

function openSegments(options: {
  dir: string;
  config: LogConfig;
  bases: number[];
  report: RecoveryReport;
}): Segment[] {
  const { dir, config, bases, report } = options;
  const segments: Segment[] = [];
  for (let i = 0; i < bases.length; i++) {
    const previous = segments[segments.length - 1];
    if (previous !== undefined && previous.nextOffset !== bases[i]) {
      deleteSegments(dir, bases.slice(i), report);
      break;
    }
    const isLast = i === bases.length - 1;
    const recover = !report.cleanShutdown && (isLast || bases[i + 1] > report.storedRecoveryPoint);
    const opened = openSegment({
      dir,
      baseOffset: bases[i],
      indexIntervalBytes: config.indexIntervalBytes,
      recover,
    });
    segments.push(opened.segment);
    if (opened.recovered) report.segmentsRecovered += 1;
    if (opened.indexesRebuilt) report.indexesRebuilt += 1;
    report.truncatedBytes += opened.truncatedBytes;
    if (opened.stop !== 'end') {
      deleteSegments(dir, bases.slice(i + 1), report);
      break;
    }
  }
  return segments;
}

/** Segment bases in order; leftover temp files and orphaned index files are removed. */
async function listSegmentBases(dir: string): Promise<number[]> {
  const names = await fs.promises.readdir(dir);
  const bases: number[] = [];
  for (const name of names) {
    const base = parseSegmentLogName(name);
    if (base !== null) bases.push(base);
  }
  const known = new Set(bases.map((base) => path.basename(segmentPaths(dir, base).log, '.log')));
  for (const name of names) {
    const orphanIndex = /^(\d{20})\.(index|timeindex)$/.exec(name);
    const stale = name.endsWith('.tmp') || (orphanIndex !== null && !known.has(orphanIndex[1]));
    if (stale) await fs.promises.rm(path.join(dir, name), { force: true });
  }
  return bases.sort((a, b) => a - b);
}

function deleteSegments(dir: string, bases: number[], report: RecoveryReport): void {
  for (const base of bases) {
    const paths = segmentPaths(dir, base);
    for (const file of [paths.log, paths.offsetIndex, paths.timeIndex]) {
      fs.rmSync(file, { force: true });
    }
    report.deletedSegments += 1;
  }
}
