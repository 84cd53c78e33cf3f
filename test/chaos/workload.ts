import { Kafka, Partitioners, logLevel, type Producer as KafkajsProducer } from 'kafkajs';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer as RillConsumer, Producer as RillProducer, silentLogger, type Logger } from '@rill/client';
import { ErrorCode } from '@rill/protocol';
import { errorName } from '../replication/support/workload.js';
import { recordContent, recordDigest, recordId, type History } from './history.js';
import { committedOffsets, fetchRecords, findCoordinator, partitionsOf, produceRecords, type Node } from './wire.js';

/**
 * The chaos workload (W1 of the reliability plan): idempotent acks=all producers writing
 * records with unique ids to every partition, consumers reading every partition
 * continuously, and a prober whose single-record acks=all writes time failover and heal.
 * Every operation and its outcome goes into the history; nothing here judges.
 */

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Errors that mean the batch was not appended (the plan's "definite" class); all else is indefinite. */
const definiteErrors = new Set<number>([
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.INVALID_RECORD,
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.INVALID_REQUIRED_ACKS,
]);

export interface WorkloadTarget {
  readonly topic: string;
  readonly partitions: number;
  readonly history: History;
  /** Nodes a client may ask now (running, not paused). */
  reachable(): readonly Node[];
  node(nodeId: number): Node;
  /** Where clients write their own logs, if anywhere. */
  readonly logDir?: string;
  log?(line: string): void;
}

/** The bundled client's log lines, appended to `<logDir>/<name>.log` (silent without a directory). */
function clientLogger(target: WorkloadTarget, name: string): Logger {
  if (target.logDir === undefined) return silentLogger;
  const path = join(target.logDir, `${name}.log`);
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    appendFileSync(path, `${new Date().toISOString()} ${level} ${message}${fields === undefined ? '' : ` ${JSON.stringify(fields)}`}\n`);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Which node leads each partition, asked of any reachable node, refreshed on demand. */
export class LeaderFinder {
  readonly #target: WorkloadTarget;
  #leaders: number[] = [];
  #reportedAt = 0;
  #refreshing: Promise<void> | null = null;

  constructor(target: WorkloadTarget) {
    this.#target = target;
  }

  async leader(partition: number): Promise<Node> {
    if ((this.#leaders[partition] ?? -1) < 0) await this.refresh();
    const id = this.#leaders[partition] ?? -1;
    if (id < 0) throw new Error(`partition ${partition} has no leader`);
    return this.#target.node(id);
  }

  forget(partition: number): void {
    this.#leaders[partition] = -1;
  }

  refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        const nodes = [...this.#target.reachable()].sort(() => Math.random() - 0.5);
        for (const node of nodes) {
          const view = await partitionsOf(node, this.#target.topic, 1000).catch(() => null);
          if (view !== null) {
            this.#leaders = view.map((p) => p.leader);
            const offline = view.filter((p) => p.leader < 0);
            if (offline.length > 0 && Date.now() - this.#reportedAt > 1000) {
              this.#reportedAt = Date.now();
              this.#target.log?.(`node ${node.nodeId} says partitions ${offline.map((p) => `${p.partition} (isr ${p.isr.join(',')})`).join(', ')} have no leader`);
            }
            return;
          }
        }
        await pause(100);
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }
}

export interface LoopStats {
  sends: number;
  acknowledged: number;
  failed: number;
  readonly errors: Map<string, number>;
}

function newStats(): LoopStats {
  return { sends: 0, acknowledged: 0, failed: 0, errors: new Map() };
}

function countError(stats: LoopStats, name: string): void {
  stats.failed++;
  stats.errors.set(name, (stats.errors.get(name) ?? 0) + 1);
}

export function describeStats(name: string, stats: LoopStats): string {
  const errors = [...stats.errors].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([e, n]) => `${e}×${n}`).join(', ');
  return `${name}: ${stats.sends} sends, ${stats.acknowledged} records acknowledged, ${stats.failed} failed${errors ? ` (${errors})` : ''}`;
}

/** Runs `body(partition)` in a loop per partition until stopped. */
abstract class PartitionLoops {
  readonly stats = newStats();
  #running: Promise<void>[] = [];
  protected stopped = false;

  protected startLoops(partitions: number, body: (partition: number) => Promise<void>): void {
    this.#running = Array.from({ length: partitions }, async (_, partition) => {
      while (!this.stopped) await body(partition);
    });
  }

  /** Stops and waits for the loops, at most `timeoutMs` (a client call may not be cancellable). */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = await Promise.race([Promise.all(this.#running).then(() => true), late]);
    clearTimeout(timer);
    await this.cleanUp();
    return done;
  }

  protected async cleanUp(): Promise<void> {}
}

export interface WriterOptions {
  readonly bootstrap: readonly string[];
  readonly recordsPerSend: number;
  readonly pauseMs: number;
  /** How long the broker may hold an acks=all write. */
  readonly ackTimeoutMs: number;
}

/** Builds the records of one send and tells the history. */
function prepareSend(target: WorkloadTarget, proc: string, partition: number, seqs: number[], count: number) {
  const timestamp = Date.now();
  const records = Array.from({ length: count }, () => {
    const id = recordId(proc, partition, seqs[partition]!++);
    return { id, ...recordContent(id, timestamp) };
  });
  target.history.add({
    type: 'send',
    t: Date.now(),
    proc,
    partition,
    records: records.map((r) => ({ id: r.id, digest: recordDigest(r) })),
  });
  return records;
}

/**
 * kafkajs idempotent producers (one request in flight), one per partition. After a failed
 * send the producer is replaced by a new one (a new producer id): kafkajs would otherwise
 * reuse the failed batch's sequence numbers for the next records, and the broker would
 * rightly answer them as duplicates of a batch it may hold.
 */
export class KafkajsWriters extends PartitionLoops {
  readonly proc = 'kjs';

  constructor(target: WorkloadTarget, options: WriterOptions) {
    super();
    const seqs = Array.from({ length: target.partitions }, () => 0);
    const producers: (KafkajsProducer | null)[] = Array.from({ length: target.partitions }, () => null);
    this.startLoops(target.partitions, async (partition) => {
      let producer = producers[partition];
      if (producer === null || producer === undefined) {
        producer = kafkajsProducer(options.bootstrap, `${this.proc}-${partition}`);
        try {
          await producer.connect();
          producers[partition] = producer;
        } catch {
          void producer.disconnect().catch(() => undefined);
          await pause(200);
          return;
        }
      }
      const records = prepareSend(target, this.proc, partition, seqs, options.recordsPerSend);
      const ids = records.map((r) => r.id);
      this.stats.sends++;
      try {
        const answer = await producer.send({
          topic: target.topic,
          acks: -1,
          timeout: options.ackTimeoutMs,
          messages: records.map((r) => ({ partition, key: r.key, value: r.value, headers: { id: r.id }, timestamp: String(r.timestamp) })),
        });
        const base = Number(answer.find((a) => a.partition === partition)?.baseOffset ?? Number.NaN);
        if (Number.isNaN(base)) throw new Error('no answer for the partition');
        target.history.add({ type: 'ack', t: Date.now(), proc: this.proc, partition, ids, offsets: ids.map((_, i) => base + i) });
        this.stats.acknowledged += ids.length;
      } catch (error) {
        const name = errorName(error);
        target.history.add({ type: 'fail', t: Date.now(), proc: this.proc, partition, ids, definite: false, error: name });
        countError(this.stats, name);
        producers[partition] = null;
        void producer.disconnect().catch(() => undefined);
      }
      await pause(options.pauseMs);
    });
    this.#producers = producers;
  }

  readonly #producers: (KafkajsProducer | null)[];

  protected override async cleanUp(): Promise<void> {
    await Promise.all(this.#producers.map((p) => p?.disconnect().catch(() => undefined)));
  }
}

function kafkajsProducer(bootstrap: readonly string[], clientId: string): KafkajsProducer {
  const kafka = new Kafka({
    clientId,
    brokers: [...bootstrap],
    logLevel: logLevel.NOTHING,
    requestTimeout: 4000,
    connectionTimeout: 1000,
    retry: { retries: 6, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 6, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/** The bundled client's idempotent producer, one for all partitions, a send loop per partition. */
export class RillWriters extends PartitionLoops {
  readonly proc = 'rill';
  readonly #producer: RillProducer;

  constructor(target: WorkloadTarget, options: WriterOptions) {
    super();
    const producer = new RillProducer({
      brokers: [...options.bootstrap],
      clientId: 'chaos-rill',
      idempotent: true,
      acks: 'all',
      lingerMs: 0,
      requestTimeoutMs: options.ackTimeoutMs + 1000,
      deliveryTimeoutMs: 20_000,
      connectTimeoutMs: 1000,
      allowAutoTopicCreation: false,
      logger: clientLogger(target, 'client-rill-producer'),
    });
    this.#producer = producer;
    const seqs = Array.from({ length: target.partitions }, () => 0);
    this.startLoops(target.partitions, async (partition) => {
      const records = prepareSend(target, this.proc, partition, seqs, options.recordsPerSend);
      const ids = records.map((r) => r.id);
      this.stats.sends++;
      try {
        const answer = await producer.send({
          topic: target.topic,
          messages: records.map((r) => ({ partition, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
        });
        const offsets = answer.flatMap((batch) => Array.from({ length: batch.recordCount }, (_, i) => batch.baseOffset + i));
        if (offsets.length !== ids.length) throw new Error(`${offsets.length} offsets for ${ids.length} records`);
        target.history.add({ type: 'ack', t: Date.now(), proc: this.proc, partition, ids, offsets });
        this.stats.acknowledged += ids.length;
      } catch (error) {
        const name = (error as Error).name === 'Error' ? (error as Error).message.slice(0, 60) : (error as Error).name;
        target.history.add({ type: 'fail', t: Date.now(), proc: this.proc, partition, ids, definite: false, error: name });
        countError(this.stats, name);
        await pause(100);
      }
      await pause(options.pauseMs);
    });
  }

  protected override async cleanUp(): Promise<void> {
    await this.#producer.close().catch(() => undefined);
  }
}

/**
 * Readers that fetch every partition from its leader, from offset 0 on, and tell the history
 * what they read; `drain` waits until they have read up to given high watermarks.
 */
export class Readers extends PartitionLoops {
  readonly proc: string;
  readonly cursors: number[];
  readonly #finder: LeaderFinder;

  constructor(target: WorkloadTarget, options: { proc: string; pauseMs: number }) {
    super();
    this.proc = options.proc;
    this.#finder = new LeaderFinder(target);
    this.cursors = Array.from({ length: target.partitions }, () => 0);
    this.startLoops(target.partitions, async (partition) => {
      const from = this.cursors[partition]!;
      try {
        const leader = await this.#finder.leader(partition);
        const answer = await fetchRecords(leader, target.topic, partition, from, 2000);
        if (answer.errorCode !== ErrorCode.NONE) throw new Error(`fetch error ${answer.errorCode}`);
        this.stats.sends++;
        if (answer.records.length > 0 || answer.problems.length > 0) {
          target.history.add({ type: 'poll', t: Date.now(), proc: this.proc, session: 0, partition, from, records: answer.records });
          for (const detail of answer.problems) target.history.add({ type: 'read-problem', t: Date.now(), proc: this.proc, partition, detail });
          const last = answer.records.at(-1);
          if (last !== undefined) this.cursors[partition] = last.offset + 1;
          this.stats.acknowledged += answer.records.length;
        }
        if (answer.records.length === 0) await pause(options.pauseMs);
      } catch (error) {
        countError(this.stats, (error as Error).message.slice(0, 40));
        this.#finder.forget(partition);
        await pause(100);
      }
    });
  }
}

/**
 * One single-record acks=all write per partition at a time, to its leader, straight (no
 * client proxy, no idempotence, never retried: each value is new). Its acknowledgement times
 * say when a partition took writes again after a fault.
 */
export class Prober extends PartitionLoops {
  readonly proc = 'probe';
  /** Per partition, the times [sent, acknowledged] of each acknowledged write. */
  readonly acks: { t0: number; t1: number }[][];
  readonly #finder: LeaderFinder;

  constructor(target: WorkloadTarget, options: { intervalMs: number; ackTimeoutMs: number }) {
    super();
    this.#finder = new LeaderFinder(target);
    this.acks = Array.from({ length: target.partitions }, () => []);
    const seqs = Array.from({ length: target.partitions }, () => 0);
    this.startLoops(target.partitions, async (partition) => {
      let leader: Node;
      try {
        leader = await this.#finder.leader(partition);
      } catch {
        await pause(50);
        return;
      }
      const t0 = Date.now();
      const [record] = prepareSend(target, this.proc, partition, seqs, 1);
      this.stats.sends++;
      try {
        const answer = await produceRecords(leader, target.topic, partition, [record!], options.ackTimeoutMs);
        if (answer.errorCode === ErrorCode.NONE) {
          const t1 = Date.now();
          target.history.add({ type: 'ack', t: t1, proc: this.proc, partition, ids: [record!.id], offsets: [answer.baseOffset] });
          this.acks[partition]!.push({ t0, t1 });
          this.stats.acknowledged++;
          await pause(options.intervalMs);
          return;
        }
        const definite = definiteErrors.has(answer.errorCode);
        target.history.add({ type: 'fail', t: Date.now(), proc: this.proc, partition, ids: [record!.id], definite, error: `error ${answer.errorCode}` });
        countError(this.stats, `error ${answer.errorCode}`);
      } catch (error) {
        target.history.add({ type: 'fail', t: Date.now(), proc: this.proc, partition, ids: [record!.id], definite: false, error: (error as Error).message.slice(0, 60) });
        countError(this.stats, (error as Error).message.slice(0, 40));
      }
      this.#finder.forget(partition);
      await pause(50);
    });
  }

  /** When each of `partitions` first acknowledged a write sent at or after `since` (ms since `since`), or null. */
  writableAfter(partitions: readonly number[], since: number): (number | null)[] {
    return partitions.map((p) => {
      const first = this.acks[p]!.find((a) => a.t0 >= since);
      return first === undefined ? null : first.t1 - since;
    });
  }
}

/**
 * W3 of the plan: members of one consumer group (the bundled client, subscribe, manual
 * commits), each committing a batch's next offset right after it has "processed" it (told the
 * history). A member whose loop fails is closed and replaced by a new one.
 */
export class GroupConsumers {
  readonly group: string;
  readonly stats = newStats();
  /** Per partition, the highest offset the group has processed up to (next offset). */
  readonly processed: number[];
  /** Per partition, when the group last read records of it. */
  readonly lastReadAt: number[];
  readonly #running: Promise<void>[];
  readonly #members = new Set<RillConsumer>();
  #stopped = false;

  constructor(target: WorkloadTarget, options: { group: string; members: number; bootstrap: readonly string[]; commitIntervalMs: number }) {
    this.group = options.group;
    this.processed = Array.from({ length: target.partitions }, () => 0);
    this.lastReadAt = Array.from({ length: target.partitions }, () => 0);
    this.#running = Array.from({ length: options.members }, async (_, member) => {
      const proc = `${options.group}-m${member}`;
      let session = 0;
      while (!this.#stopped) {
        session++;
        const consumer = new RillConsumer({
          brokers: [...options.bootstrap],
          clientId: proc,
          groupId: options.group,
          autoOffsetReset: 'earliest',
          autoCommit: false,
          sessionTimeoutMs: 6000,
          heartbeatIntervalMs: 500,
          rebalanceTimeoutMs: 10_000,
          maxWaitMs: 200,
          requestTimeoutMs: 5000,
          connectTimeoutMs: 1000,
          logger: clientLogger(target, `client-${proc}`),
        });
        this.#members.add(consumer);
        try {
          await consumer.subscribe({ topics: [target.topic] });
          let generation = consumer.groupMetadata()?.generationId ?? -1;
          let lastCommit = Date.now();
          /** Processed and not yet committed: partition → next offset. */
          const pending = new Map<number, number>();
          for await (const batch of consumer) {
            if (this.#stopped) break;
            // After a rebalance a partition restarts from its committed offset, even when
            // the member keeps it, and comes again from there: a new generation is a new
            // session for the checker, and what was processed before it is not committed
            // (committing it and then the redelivered records would move the offset back).
            const now = consumer.groupMetadata()?.generationId ?? -1;
            if (now !== generation) {
              generation = now;
              session++;
              pending.clear();
            }
            if (batch.records.length === 0) continue;
            target.history.add({
              type: 'poll',
              t: Date.now(),
              proc,
              group: options.group,
              session,
              partition: batch.partition,
              from: batch.records[0]!.offset,
              records: batch.records.map((r) => ({ offset: r.offset, id: r.key?.toString() ?? null, digest: recordDigest(r) })),
            });
            this.stats.acknowledged += batch.records.length;
            this.processed[batch.partition] = Math.max(this.processed[batch.partition]!, batch.nextOffset);
            this.lastReadAt[batch.partition] = Date.now();
            pending.set(batch.partition, batch.nextOffset);
            if (Date.now() - lastCommit < options.commitIntervalMs) continue;
            lastCommit = Date.now();
            if (!(await this.#commit(target, consumer, proc, pending))) session++;
          }
        } catch (error) {
          countError(this.stats, `consume: ${(error as Error).name}: ${(error as Error).message.slice(0, 40)}`);
        } finally {
          this.#members.delete(consumer);
          await consumer.close().catch(() => undefined);
        }
        if (!this.#stopped) await pause(500);
      }
    });
  }

  /**
   * Commits what was processed and tells the history; false when the commit failed (a
   * redelivery from the last committed offset may follow, which is allowed).
   */
  async #commit(target: WorkloadTarget, consumer: RillConsumer, proc: string, pending: Map<number, number>): Promise<boolean> {
    if (pending.size === 0) return true;
    const offsets = [...pending].map(([partition, offset]) => ({ topic: target.topic, partition, offset }));
    pending.clear();
    const t0 = Date.now();
    try {
      await consumer.commit(offsets);
      for (const o of offsets) target.history.add({ type: 'commit', t0, t: Date.now(), proc, group: this.group, partition: o.partition, offset: o.offset, ok: true });
      this.stats.sends++;
      return true;
    } catch (error) {
      const name = (error as Error).name === 'Error' ? (error as Error).message.slice(0, 50) : (error as Error).name;
      for (const o of offsets) target.history.add({ type: 'commit', t0, t: Date.now(), proc, group: this.group, partition: o.partition, offset: o.offset, ok: false, error: name });
      countError(this.stats, `commit: ${name}`);
      return false;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const member of this.#members) member.interrupt();
    await Promise.race([Promise.all(this.#running), pause(20_000)]);
  }
}

/**
 * Asks the group's coordinator for its committed offsets every `intervalMs` and tells the
 * history each value that differs from the last one seen (I8: they must never go back).
 */
export class CommittedOffsetsProbe {
  readonly stats = newStats();
  readonly #running: Promise<void>;
  #stopped = false;
  #coordinator: number | null = null;

  constructor(target: WorkloadTarget, options: { group: string; intervalMs: number }) {
    const last = new Map<number, number>();
    this.#running = (async () => {
      while (!this.#stopped) {
        try {
          this.#coordinator ??= await this.coordinator(target, options.group);
          const t0 = Date.now();
          const offsets = await committedOffsets(target.node(this.#coordinator), options.group, target.topic, target.partitions, 2000);
          const t = Date.now();
          this.stats.sends++;
          for (const [partition, offset] of offsets) {
            if (offset < 0 || last.get(partition) === offset) continue;
            last.set(partition, offset);
            target.history.add({ type: 'committed', t0, t, group: options.group, partition, offset });
          }
        } catch (error) {
          countError(this.stats, (error as Error).message.slice(0, 40));
          this.#coordinator = null;
        }
        await pause(options.intervalMs);
      }
    })();
  }

  /** The coordinator of `group`, as any reachable node says. */
  async coordinator(target: WorkloadTarget, group: string): Promise<number> {
    for (const node of target.reachable()) {
      const id = await findCoordinator(node, group, 1000).catch(() => null);
      if (id !== null && id >= 0) return id;
    }
    throw new Error(`no coordinator for ${group}`);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }
}
