import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The floor under any broker on this machine: the same bytes appended to a file by a plain
 * Node loop, with no network, framing or validation. Broker figures are read against it.
 */
export function runRawBaseline(chunk: Buffer, bytes: number): { bytes: number; elapsedMs: number } {
  const dir = mkdtempSync(join(tmpdir(), 'rill-baseline-'));
  const fd = openSync(join(dir, 'append.log'), 'a');
  const started = performance.now();
  let written = 0;
  while (written < bytes) written += writeSync(fd, chunk);
  const elapsedMs = performance.now() - started;
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return { bytes: written, elapsedMs };
}
