/**
 * The two small files that tell recovery how much to trust. `recovery-point` holds the
 * offset below which everything was fsynced (written after each flush, atomically);
 * `.clean-shutdown` exists only between a clean close and the next open.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDirectory, writeFileAtomic } from './file-io.js';

const recoveryPointFile = 'recovery-point';
const cleanShutdownFile = '.clean-shutdown';
const formatVersion = 0;

export async function writeRecoveryPoint(dir: string, offset: number): Promise<void> {
  await writeFileAtomic(path.join(dir, recoveryPointFile), `${formatVersion}\n${offset}\n`);
}

/** The stored recovery point, or 0 (trust nothing) when missing or unreadable. */
export function readRecoveryPoint(dir: string): number {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, recoveryPointFile), 'utf8');
  } catch {
    return 0;
  }
  const match = /^(\d+)\n(\d+)\n$/.exec(text);
  if (!match || Number(match[1]) !== formatVersion) return 0;
  const offset = Number(match[2]);
  return Number.isSafeInteger(offset) ? offset : 0;
}

export function hasCleanShutdownMarker(dir: string): boolean {
  return fs.existsSync(path.join(dir, cleanShutdownFile));
}

export async function writeCleanShutdownMarker(dir: string): Promise<void> {
  await writeFileAtomic(path.join(dir, cleanShutdownFile), '');
}

/**
 * Removes the marker durably before the log accepts writes: were it to reappear after a
 * crash, recovery would trust a tail nobody checked.
 */
export async function removeCleanShutdownMarker(dir: string): Promise<void> {
  await fs.promises.rm(path.join(dir, cleanShutdownFile), { force: true });
  await fsyncDirectory(dir);
}
