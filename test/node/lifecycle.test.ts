import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@rill/testkit';

const run = promisify(execFile);
const serverBin = new URL('../../packages/broker/bin/rill-server.js', import.meta.url).pathname;

describe('a rill-server process', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('answers /healthz, /readyz and exports Prometheus metrics', async () => {
    const health = await fetch(`http://127.0.0.1:${server.httpPort}/healthz`);
    expect(health.status).toBe(200);
    const producer = new Kafka({ brokers: [server.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: 'metered', messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();
    const metrics = await server.metrics();
    for (const name of [
      'rill_requests_total{api="Produce",outcome="ok"}',
      'rill_request_duration_seconds_bucket',
      'rill_topic_bytes_in_total{topic="metered"}',
      'rill_topic_records_in_total{topic="metered"} 2',
      'rill_log_size_bytes{topic="metered",partition="0"}',
      'rill_build_info',
      'process_cpu_seconds_total',
    ]) {
      expect(metrics).toContain(name);
    }
  });

  it('stops cleanly on SIGTERM and keeps its data across the restart', async () => {
    expect(await server.signal('SIGTERM')).toBe(0);
    expect(existsSync(join(server.dataDir, 'metered-0', '.clean-shutdown'))).toBe(true);
    await server.restart();
    const admin = new Kafka({ brokers: [server.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('metered');
    await admin.disconnect();
    expect(offsets[0]!.high).toBe('2');
  });

  it('refuses a bad configuration with a message naming the key, and exits 2', async () => {
    const failure = await run(process.execPath, [serverBin, '--set', 'num.partitions=many']).catch((e: unknown) => e);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toMatch(/num\.partitions=many.*whole number/);
  });
});
