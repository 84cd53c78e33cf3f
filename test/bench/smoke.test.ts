import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const benchEntry = fileURLToPath(new URL('../../bench/dist/run.js', import.meta.url));

// Not a performance test (no figure is asserted): one-second phases on two workloads, so the
// bench keeps working as the packages it drives change. NATS JetStream joins only where
// nats-server is installed; nothing here needs it.
describe('pnpm bench --quick', () => {
  it('runs its workloads end to end on every system and prints its tables', async () => {
    const { stdout } = await run(process.execPath, [benchEntry, '--quick'], { timeout: 150_000, maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).toContain('produce MB/s');
    expect(stdout).toContain('end-to-end ms p50/p99/p999');
    expect(stdout).toMatch(/1 KiB records, 8 partitions\s+rill-1\s+\d/);
    expect(stdout).toMatch(/1 KiB records, 8 partitions\s+rill-3\s+\d/);
    expect(stdout).toContain('results written to bench/results/');
  }, 180_000);
});
