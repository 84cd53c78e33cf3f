import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ServerProcess } from '@rill/testkit';
import { runCli } from './run-cli.js';

describe('rill CLI against one rill-server', () => {
  let server: ServerProcess;
  let brokers: string;

  beforeAll(async () => {
    server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
    brokers = server.bootstrap;
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('creates, lists, describes and deletes topics, with scriptable exit codes', async () => {
    const created = await runCli(['topic', 'create', 'cli-a', '-p', '3'], { brokers });
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toMatch(/cli-a\s+CREATED/);
    const again = await runCli(['topic', 'create', 'cli-a'], { brokers });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('TOPIC_ALREADY_EXISTS');
    expect(again.stderr).toContain('--if-not-exists');
    expect((await runCli(['topic', 'create', 'cli-a', '--if-not-exists'], { brokers })).code).toBe(
      0,
    );
    const listed = await runCli(['topic', 'list', '--format', 'json'], { brokers });
    expect(JSON.parse(listed.stdout)).toContainEqual({
      name: 'cli-a',
      partitions: 3,
      replicationFactor: 1,
      internal: false,
    });
    const described = await runCli(['topic', 'describe', 'cli-a'], { brokers });
    expect(described.stdout).toContain('PartitionCount: 3');
    expect(described.stdout).toMatch(/Partition: 2\tLeader: 1\tReplicas: 1\tIsr: 1/);
    expect((await runCli(['topic', 'delete', 'cli-a'], { brokers })).code).toBe(0);
    expect((await runCli(['topic', 'describe', 'cli-a'], { brokers })).code).toBe(1);
  });

  it('produces piped lines with keys and headers, and consumes them back as JSON lines', async () => {
    await runCli(['topic', 'create', 'cli-pipe', '-p', '2'], { brokers });
    const input =
      Array.from({ length: 100 }, (_, i) => `key-${i % 7}:value-${i}`).join('\n') + '\n';
    const produced = await runCli(
      ['produce', 'cli-pipe', '--key-separator', ':', '-H', 'source=test'],
      { brokers, stdin: input },
    );
    expect(produced.code).toBe(0);
    expect(produced.stderr).toContain('produced 100 record(s)');
    const consumed = await runCli(
      ['consume', 'cli-pipe', '--from-beginning', '-e', '--format', 'json'],
      { brokers },
    );
    expect(consumed.code).toBe(0);
    const records = consumed.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            key: string;
            value: string;
            partition: number;
            headers: Record<string, string>;
          },
      );
    expect(records).toHaveLength(100);
    expect(new Set(records.map((r) => r.value))).toEqual(
      new Set(Array.from({ length: 100 }, (_, i) => `value-${i}`)),
    );
    expect(
      records.every(
        (r) => r.headers['source'] === 'test' && r.key === `key-${Number(r.value.slice(6)) % 7}`,
      ),
    ).toBe(true);
    const keyPartitions = new Map<string, Set<number>>();
    for (const r of records)
      keyPartitions.set(r.key, (keyPartitions.get(r.key) ?? new Set()).add(r.partition));
    expect([...keyPartitions.values()].every((set) => set.size === 1)).toBe(true);
  });

  it('stops after -n records, and reads -o offsets and -p partitions', async () => {
    await runCli(['topic', 'create', 'cli-n', '-p', '1'], { brokers });
    await runCli(['produce', 'cli-n'], { brokers, stdin: 'a\nb\nc\nd\ne\n' });
    const two = await runCli(['consume', 'cli-n', '-o', 'start', '-n', '2'], { brokers });
    expect(two).toMatchObject({ code: 0, stdout: 'a\nb\n' });
    const fromThree = await runCli(['consume', 'cli-n', '-o', '3', '-e', '--print-offset'], {
      brokers,
    });
    expect(fromThree.stdout).toBe('3\td\n4\te\n');
    const lastTwo = await runCli(['consume', 'cli-n', '-o', '-2', '-e', '-p', '0'], { brokers });
    expect(lastTwo.stdout).toBe('d\ne\n');
    const badPartition = await runCli(['consume', 'cli-n', '-p', '5', '-e'], { brokers });
    expect(badPartition.code).toBe(2);
  });

  it('reports cluster info, health and the quorum', async () => {
    const info = await runCli(['cluster', 'info', '--format', 'json'], { brokers });
    expect(JSON.parse(info.stdout)).toMatchObject({
      controllerId: 1,
      brokers: [{ nodeId: 1, port: server.kafkaPort }],
    });
    const health = await runCli(['cluster', 'health'], { brokers });
    expect(health.code).toBe(0);
    expect(health.stdout).toMatch(/Healthy:\s+true/);
    const quorum = await runCli(['cluster', 'quorum'], { brokers });
    expect(quorum.code).toBe(0);
    expect(quorum.stdout).toMatch(/LEADER: 1\tEPOCH: \d+\tHIGH-WATERMARK: \d+/);
    expect(quorum.stdout).toMatch(/^1\s+leader\s+\d+\s+0\s+\d+ ms ago/m);
  });

  it('exits 2 on a usage error and names the address when no broker answers', async () => {
    const usage = await runCli(['topic', 'create', 'x', '-p', 'many'], { brokers });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--partitions');
    expect((await runCli(['nonsense'], { brokers })).code).toBe(2);
    const port = await freePort();
    const unreachable = await runCli(['topic', 'list'], { brokers: `127.0.0.1:${port}` });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`127.0.0.1:${port}`);
    expect(unreachable.stderr).toContain('RILL_BROKERS');
  });

  it('takes brokers from -b ahead of RILL_BROKERS', async () => {
    const port = await freePort();
    const result = await runCli(['-b', brokers, 'cluster', 'info'], {
      brokers: `127.0.0.1:${port}`,
    });
    expect(result.code).toBe(0);
  });

  it('in a terminal: prints tables, and bench draws progress then a p50/p99 summary', async () => {
    const listed = await runCli(['topic', 'list'], { brokers, pty: true });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/NAME\s+PARTITIONS\s+REPLICAS/);
    const bench = await runCli(
      ['bench', 'produce', '-t', 'cli-bench', '-n', '300000', '-s', '100', '--per-send', '500'],
      { brokers, pty: true, timeoutMs: 60_000 },
    );
    expect(bench.code).toBe(0);
    expect(bench.stdout).toMatch(/\r.*records\/s/);
    expect(bench.stdout).toMatch(/produce: 300,000 records/);
    expect(bench.stdout).toMatch(/p50 [\d.]+\s+p99 [\d.]+/);
    const consume = await runCli(
      ['bench', 'consume', '-t', 'cli-bench', '-n', '300000', '--format', 'json'],
      { brokers },
    );
    expect(JSON.parse(consume.stdout)).toMatchObject({ benchmark: 'consume', records: 300000 });
  });
});
