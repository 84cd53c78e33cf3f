import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@rill/storage';

const fileName = 'replication-offset-checkpoint';
const formatVersion = 0;

/**
 * The high watermarks of every partition in one log dir, written together on a schedule
 * (replica.high.watermark.checkpoint.interval.ms) as Kafka does. After a restart a replica
 * starts from this value, clamped to its log end, instead of from zero, so it can serve
 * consumers at once when it leads again.
 */
export async function writeHighWatermarks(logDir: string, highWatermarks: ReadonlyMap<string, number>): Promise<void> {
  const lines = [...highWatermarks].map(([name, offset]) => `${name} ${offset}`);
  await writeFileAtomic(join(logDir, fileName), [String(formatVersion), String(lines.length), ...lines].join('\n') + '\n');
}

/** By partition directory name ("topic-3"); empty when missing or unreadable. */
export function readHighWatermarks(logDir: string): Map<string, number> {
  const found = new Map<string, number>();
  let text: string;
  try {
    text = readFileSync(join(logDir, fileName), 'utf8');
  } catch {
    return found;
  }
  const lines = text.split('\n');
  if (lines[0] !== String(formatVersion)) return found;
  const count = Number(lines[1]);
  for (let i = 0; i < count; i++) {
    const match = /^(\S+) (\d+)$/.exec(lines[2 + i] ?? '');
    if (match === null) return new Map();
    found.set(match[1]!, Number(match[2]));
  }
  return found;
}
