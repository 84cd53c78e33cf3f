import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@rill/testkit';

const run = promisify(execFile);
const messageCount = 100_000;

/** Runs kcat and returns its stdout; kcat exits non-zero on any fatal error. */
async function kcat(args: string[], input?: string): Promise<string> {
  if (input === undefined) {
    const { stdout } = await run('kcat', args, { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
    return stdout;
  }
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`kcat exited ${code}: ${stderr}`))));
    child.stdin.end(input);
  });
}

describe('kcat (librdkafka 2.0.2) against one node', () => {
  let server: ServerProcess;
  let workDir: string;

  beforeAll(async () => {
    server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
    workDir = await mkdtemp(join(tmpdir(), 'rill-kcat-'));
    const admin = new Kafka({ brokers: [server.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kcat-roundtrip', numPartitions: 1 }, { topic: 'kcat-listed', numPartitions: 3 }] });
    await admin.disconnect();
  });

  afterAll(async () => {
    await server?.destroy();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('lists brokers and topics (-L)', async () => {
    const listing = await kcat(['-b', server.bootstrap, '-L', '-m', '10']);
    expect(listing).toContain('1 brokers:');
    expect(listing).toMatch(/broker 1 at 127\.0\.0\.1:\d+ \(controller\)/);
    expect(listing).toContain('topic "kcat-listed" with 3 partitions');
    const json = JSON.parse(await kcat(['-b', server.bootstrap, '-L', '-J', '-t', 'kcat-listed', '-m', '10'])) as {
      topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
    };
    expect(json.topics[0]!.partitions.map((p) => p.leader)).toEqual([1, 1, 1]);
  });

  it(`produces ${messageCount} keyed messages with headers and reads them back byte-identical, in order`, async () => {
    const lines = Array.from({ length: messageCount }, (_, i) => `key-${i}:value-${i}-${(i * 2654435761) % 4294967296}-é✓`);
    const input = join(workDir, 'messages.txt');
    await writeFile(input, lines.join('\n') + '\n');
    await kcat([
      '-b', server.bootstrap, '-P', '-t', 'kcat-roundtrip', '-p', '0', '-K:', '-H', 'origin=kcat', '-H', 'run=1',
      '-l', input, '-X', 'message.timeout.ms=30000',
    ]);
    const output = await kcat([
      '-b', server.bootstrap, '-C', '-t', 'kcat-roundtrip', '-o', 'beginning', '-c', String(messageCount), '-e', '-q',
      '-f', '%o|%k:%s|%h\\n',
    ]);
    const received = output.split('\n').filter((line) => line !== '');
    expect(received.length).toBe(messageCount);
    for (let i = 0; i < messageCount; i++) {
      const expected = `${i}|${lines[i]}|origin=kcat,run=1`;
      if (received[i] !== expected) expect(received[i]).toBe(expected);
    }
  });
});
