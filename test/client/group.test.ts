import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, waitFor } from '@rill/testkit';
import { Admin, Consumer, Producer, type AssignorName, type ConsumerBatch } from '@rill/client';
import { runCli } from '../cli/run-cli.js';

/**
 * Consumer groups against a real node and its group coordinator (FindCoordinator,
 * JoinGroup, SyncGroup, Heartbeat, OffsetCommit/Fetch).
 */
describe('consumer groups against one rill-server', () => {
  let server: ServerProcess;
  let admin: Admin;

  beforeAll(async () => {
    server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
    admin = new Admin({ brokers: [server.bootstrap] });
  });

  afterAll(async () => {
    await admin?.close();
    await server?.destroy();
  });

  /** Runs a consumer loop in the background, collecting record values until stopped. */
  function run(consumer: Consumer, seen: string[]): Promise<void> {
    return (async () => {
      for await (const batch of consumer as AsyncIterable<ConsumerBatch>)
        seen.push(...batch.records.map((r) => r.value!.toString()));
    })();
  }

  it.for(['range', 'roundrobin', 'cooperative-sticky'] as AssignorName[])(
    'shares partitions between two members and rebalances when one leaves (%s)',
    async (assignor) => {
      const topic = `g-${assignor}`;
      await admin.createTopics([{ name: topic, partitions: 4 }]);
      const options = {
        brokers: [server.bootstrap],
        groupId: `group-${assignor}`,
        autoOffsetReset: 'earliest' as const,
        assignors: [assignor],
        heartbeatIntervalMs: 200,
        sessionTimeoutMs: 6000,
        maxWaitMs: 100,
      };
      const first = new Consumer(options);
      const second = new Consumer(options);
      expect(first.groupMetadata()).toBeNull();
      await first.subscribe({ topics: [topic] });
      const alone = first.groupMetadata()!;
      expect(alone.groupId).toBe(`group-${assignor}`);
      expect(alone.memberId).not.toBe('');
      const seen: string[] = [];
      const loops = [run(first, seen)];
      await second.subscribe({ topics: [topic] });
      loops.push(run(second, seen));
      await waitFor(() => first.assignment().length === 2 && second.assignment().length === 2, {
        timeoutMs: 20_000,
        description: 'both members to own two partitions',
      });
      const owned = [...first.assignment(), ...second.assignment()]
        .map((tp) => tp.partition)
        .sort();
      expect(owned).toEqual([0, 1, 2, 3]);
      expect(first.groupMetadata()!.generationId).toBeGreaterThan(alone.generationId);
      expect(second.groupMetadata()!.generationId).toBe(first.groupMetadata()!.generationId);

      const producer = new Producer({ brokers: [server.bootstrap] });
      await producer.send({
        topic,
        messages: Array.from({ length: 400 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
      });
      await waitFor(() => new Set(seen).size === 400, {
        timeoutMs: 20_000,
        description: 'all 400 records consumed by the group',
      });

      await second.close();
      await waitFor(() => first.assignment().length === 4, {
        timeoutMs: 20_000,
        description: 'the remaining member to own every partition',
      });
      await producer.send({
        topic,
        messages: Array.from({ length: 100 }, (_, i) => ({ value: `after-${i}` })),
      });
      await producer.close();
      await waitFor(() => seen.filter((v) => v.startsWith('after-')).length >= 100, {
        timeoutMs: 20_000,
        description: 'records after the rebalance consumed',
      });
      await first.commit();
      const { partitions } = await admin.describeGroupLag(`group-${assignor}`);
      expect(partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0)).toBe(0);
      first.interrupt();
      await Promise.all(loops);
      await first.close();
    },
  );

  it('resumes from committed offsets, and the CLI shows CURRENT-OFFSET, LOG-END-OFFSET and LAG', async () => {
    await admin.createTopics([{ name: 'g-resume', partitions: 2 }]);
    const producer = new Producer({ brokers: [server.bootstrap] });
    await producer.send({
      topic: 'g-resume',
      messages: Array.from({ length: 50 }, (_, i) => ({ value: `r${i}`, partition: i % 2 })),
    });
    await producer.close();
    const consumer = new Consumer({
      brokers: [server.bootstrap],
      groupId: 'resume',
      autoOffsetReset: 'earliest',
      autoCommit: false,
    });
    await consumer.subscribe({ topics: ['g-resume'] });
    let count = 0;
    for await (const batch of consumer) {
      count += batch.records.length;
      await consumer.commit([
        { topic: batch.topic, partition: batch.partition, offset: batch.records[0]!.offset + 1 },
      ]);
      break;
    }
    await consumer.close();
    expect(count).toBeGreaterThan(0);
    const described = await runCli(['group', 'describe', 'resume'], { brokers: server.bootstrap });
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG/);
    const reset = await runCli(
      ['group', 'reset-offsets', 'resume', '--topic', 'g-resume', '--to-earliest', '--execute'],
      { brokers: server.bootstrap },
    );
    expect(reset.code).toBe(0);
    expect((await admin.fetchOffsets('resume')).every((o) => o.offset === 0)).toBe(true);
  });
});
