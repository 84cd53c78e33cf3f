import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const benchEntry = fileURLToPath(new URL('../../bench/dist/run.js', import.meta.url));

// Not a performance test (no figure is asserted): a one-second-per-workload run, so the
// bench keeps working as the packages it drives change.
describe('pnpm bench --quick', () => {
  it('runs every workload end to end and prints its tables', async () => {
    const { stdout } = await run(process.execPath, [benchEntry, '--quick'], { timeout: 150_000, maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).toContain('produce MB/s');
    expect(stdout).toContain('1 KiB records, 8 partitions');
    expect(stdout).toContain('client produce MB/s');
  }, 180_000);
});
