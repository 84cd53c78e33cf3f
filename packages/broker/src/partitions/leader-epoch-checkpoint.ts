import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochEntry } from '@rill/replication';

const fileName = 'leader-epoch-checkpoint';
const formatVersion = 0;

/**
 * The leader epoch cache of one partition, beside its segments. It is written (and synced)
 * before the log holds any batch of a new epoch, so after a crash the file may name an epoch
 * the log lacks — the caller trims it to the log end — but never lacks one the log has.
 * Epochs change only with leaders, so the synchronous write is rare.
 */
export function writeLeaderEpochCheckpoint(dir: string, entries: readonly EpochEntry[]): void {
  const text = [String(formatVersion), String(entries.length), ...entries.map((e) => `${e.epoch} ${e.startOffset}`)].join('\n') + '\n';
  const path = join(dir, fileName);
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/** The stored entries; none when the file is missing or unreadable (an empty cache is safe: truncation falls back to the high watermark). */
export function readLeaderEpochCheckpoint(dir: string): EpochEntry[] {
  let text: string;
  try {
    text = readFileSync(join(dir, fileName), 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  if (lines[0] !== String(formatVersion)) return [];
  const count = Number(lines[1]);
  const entries: EpochEntry[] = [];
  for (let i = 0; i < count; i++) {
    const match = /^(\d+) (\d+)$/.exec(lines[2 + i] ?? '');
    if (match === null) return [];
    const entry = { epoch: Number(match[1]), startOffset: Number(match[2]) };
    const previous = entries[entries.length - 1];
    if (previous !== undefined && (entry.epoch <= previous.epoch || entry.startOffset < previous.startOffset)) return [];
    entries.push(entry);
  }
  return entries;
}
