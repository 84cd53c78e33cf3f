import { spawn, type ChildProcess } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, waitFor } from '@rill/testkit';

const topic = 'kc';
const groupId = 'kcat-group';

/** One `kcat -G` member (librdkafka 2.0.2, range assignor); options go before the topic (kcat#289). */
class KcatMember {
  readonly lines: string[] = [];
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #stderr = '';

  constructor(bootstrap: string, extra: string[] = []) {
    const args = [
      '-b', bootstrap, '-G', groupId,
      '-X', 'auto.offset.reset=earliest',
      '-X', 'partition.assignment.strategy=range',
      '-X', 'heartbeat.interval.ms=300',
      '-X', 'auto.commit.interval.ms=200',
      // -u: unbuffered, so lines reach us as they are consumed.
      '-u', '-q', '-f', '%p:%o:%s\\n',
      ...extra,
      topic,
    ];
    this.#child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const complete = text.split('\n');
      partial = complete.pop()!;
      this.lines.push(...complete);
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.#exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
  }

  get values(): string[] {
    return this.lines.map((line) => line.split(':').slice(2).join(':'));
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** SIGTERM: kcat closes the consumer, which commits the offsets it stored and leaves. */
  async stop(): Promise<number | null> {
    this.#child.kill('SIGTERM');
    return this.#exited;
  }

  exited(): Promise<number | null> {
    return this.#exited;
  }
}

/**
 * kcat -G (librdkafka's balanced consumer, range assignor) against three nodes: two members
 * share a topic and consume all of it, their commits land, and a member started again
 * resumes from the committed offsets.
 */
describe('kcat consumer group on three nodes', () => {
  let cluster: Cluster;
  let kafka: Kafka;
  const members: KcatMember[] = [];

  beforeAll(async () => {
    cluster = await Cluster.start({
      nodes: 3,
      roles: 'broker,controller',
      properties: { 'group.initial.rebalance.delay.ms': 200, 'auto.create.topics.enable': false },
    });
    kafka = new Kafka({ clientId: 'kcat-test', brokers: cluster.bootstrap, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 3 }] });
    await admin.disconnect();
  });

  afterAll(async () => {
    for (const member of members) await member.stop().catch(() => undefined);
    await cluster?.destroy();
  });

  async function produce(prefix: string, count: number): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `${prefix}${i}` })) });
    await producer.disconnect();
  }

  async function describe(): Promise<{ state: string; protocol: string; members: number }> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([groupId]);
      return { state: groups[0]!.state, protocol: groups[0]!.protocol, members: groups[0]!.members.length };
    } finally {
      await admin.disconnect();
    }
  }

  async function committed(): Promise<Map<number, string>> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map(offsets!.partitions.map((p) => [p.partition, p.offset]));
    } finally {
      await admin.disconnect();
    }
  }

  it('two members share the topic with the range assignor, commit, and a restarted member resumes', async () => {
    const bootstrap = cluster.bootstrap.join(',');
    members.push(new KcatMember(bootstrap), new KcatMember(bootstrap));
    await waitFor(async () => {
      const d = await describe();
      return d.state === 'Stable' && d.members === 2 ? d : null;
    }, { timeoutMs: 30_000, description: 'two kcat members in a Stable group' });
    expect((await describe()).protocol).toBe('range');

    await produce('first-', 200);
    await waitFor(() => new Set(members.flatMap((m) => m.values)).size === 200, {
      timeoutMs: 30_000,
      description: 'the two members to consume all 200 records',
    });
    const [one, two] = members;
    expect(one!.values.length).toBeGreaterThan(0);
    expect(two!.values.length).toBeGreaterThan(0);
    // Range over four partitions: each member reads two whole partitions.
    const partitionsOf = (m: KcatMember): Set<string> => new Set(m.lines.map((line) => line.split(':')[0]!));
    expect(partitionsOf(one!).size).toBe(2);
    expect([...partitionsOf(one!)].some((p) => partitionsOf(two!).has(p))).toBe(false);
    expect(one!.values.length + two!.values.length).toBe(200);

    expect(await one!.stop()).toBe(0);
    expect(await two!.stop()).toBe(0);
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const afterFirst = await committed();
    for (const end of ends) expect(afterFirst.get(end.partition)).toBe(end.high);

    await produce('second-', 50);
    const again = new KcatMember(bootstrap, ['-e']);
    members.push(again);
    expect(await again.exited()).toBe(0);
    expect(again.values.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `second-${i}`).sort());
  });
});
