import { Kafka, Partitioners, logLevel, type Producer, type RetryOptions } from 'kafkajs';
import { ErrorCode } from '@rill/protocol';
import type { ServerProcess } from '@rill/testkit';
import type { History } from './history.js';
import { fetchOnce, produceWithin, topicView } from './wire.js';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ProducerOptions {
  readonly brokers: readonly string[];
  /** kafkajs requestTimeout: how long a request to a dead or paused broker may hang. */
  readonly requestTimeoutMs?: number;
  readonly retry?: RetryOptions;
}

/** A kafkajs producer with idempotence off (Rill does not serve InitProducerId yet). */
export async function connectProducer(options: ProducerOptions): Promise<Producer> {
  const kafka = new Kafka({
    clientId: 'replication-test',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
    requestTimeout: options.requestTimeoutMs ?? 5000,
    connectionTimeout: 1000,
    retry: options.retry ?? { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const producer = kafka.producer({
    idempotent: false,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

/** Sends `values` to one partition with acks=all and records the outcome; true when acknowledged. */
export async function sendAcksAll(
  producer: Producer,
  history: History,
  topic: string,
  partition: number,
  values: readonly string[],
  timeoutMs = 10_000,
): Promise<boolean> {
  history.attempt(values);
  const result = await producer.send({
    topic,
    acks: -1,
    timeout: timeoutMs,
    messages: values.map((value) => ({ partition, value })),
  });
  const answer = result.find((r) => r.partition === partition);
  if (answer === undefined || answer.errorCode !== ErrorCode.NONE) return false;
  history.ack(partition, Number(answer.baseOffset), values);
  return true;
}

export interface WriterStats {
  sends: number;
  acknowledged: number;
  failed: number;
  readonly errors: Map<string, number>;
}

/**
 * One acks=all writer per partition, each sending a small batch of unique values, waiting for
 * the answer, then pausing `pauseMs` to keep the volume small. Failures are counted, never
 * thrown: a failed write is indefinite (it may or may not be in the log).
 */
export class Writers {
  readonly stats: WriterStats = { sends: 0, acknowledged: 0, failed: 0, errors: new Map() };
  readonly #running: Promise<void>[];
  #stopped = false;

  constructor(
    producer: Producer,
    history: History,
    options: {
      topic: string;
      partitions: readonly number[];
      recordsPerSend: number;
      pauseMs: number;
      prefix: string;
      /** The Produce request's own timeout (how long the broker may hold it); 10 s unless set. */
      sendTimeoutMs?: number;
    },
  ) {
    this.#running = options.partitions.map(async (partition) => {
      for (let seq = 0; !this.#stopped && seq < 1_000_000; seq++) {
        const values = Array.from({ length: options.recordsPerSend }, (_, i) => `${options.prefix}-p${partition}-${seq}-${i}`);
        this.stats.sends++;
        try {
          if (await sendAcksAll(producer, history, options.topic, partition, values, options.sendTimeoutMs)) this.stats.acknowledged += values.length;
        } catch (error) {
          this.stats.failed++;
          const name = errorName(error);
          this.stats.errors.set(name, (this.stats.errors.get(name) ?? 0) + 1);
        }
        await pause(options.pauseMs);
      }
    });
  }

  /**
   * Stops sending and waits for the sends in flight, at most `timeoutMs` (a kafkajs send
   * cannot be cancelled). Returns false if some were still unanswered.
   */
  async stop(timeoutMs = 20_000): Promise<boolean> {
    this.#stopped = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = await Promise.race([Promise.all(this.#running).then(() => true), late]);
    clearTimeout(timer);
    return done;
  }

  describe(): string {
    const errors = [...this.stats.errors].map(([name, count]) => `${name}×${count}`).join(', ');
    return `${this.stats.sends} sends, ${this.stats.acknowledged} records acknowledged, ${this.stats.failed} sends failed${errors ? ` (${errors})` : ''}`;
  }
}

/** The innermost kafkajs error name (and protocol type) behind a failed send. */
export function errorName(error: unknown): string {
  const protocol = protocolError(error);
  if (protocol !== null) return protocol.type;
  let current = error as { name?: string; cause?: unknown } | undefined;
  for (let depth = 0; depth < 10 && current?.cause !== undefined && current.cause !== current; depth++) current = current.cause as typeof current;
  return current?.name ?? String(error);
}

/** The KafkaJSProtocolError anywhere in the cause chain of `error`, or null. */
export function protocolError(error: unknown): { type: string; code: number } | null {
  let current = error as { name?: string; type?: string; code?: number; cause?: unknown } | undefined;
  for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
    if (current.name === 'KafkaJSProtocolError' && typeof current.type === 'string') {
      return { type: current.type, code: current.code ?? -1 };
    }
    current = current.cause as typeof current;
  }
  return null;
}

/**
 * A consumer that keeps reading every partition from its current leader (found from any of
 * `brokers()`) and tells the history what it saw, so the final read can check that nothing a
 * consumer once saw later vanished or moved (I6).
 */
export class Poller {
  readonly #cursors: number[] = [];
  readonly #running: Promise<void>;
  #stopped = false;
  errors = 0;

  constructor(brokers: () => readonly ServerProcess[], history: History, options: { topic: string; partitions: number; pauseMs: number }) {
    for (let p = 0; p < options.partitions; p++) this.#cursors.push(0);
    this.#running = (async () => {
      let leaders: number[] = [];
      for (let round = 0; !this.#stopped && round < 1_000_000; round++) {
        try {
          if (leaders.length === 0) leaders = await this.#leaders(brokers(), options.topic);
          for (let partition = 0; partition < options.partitions; partition++) {
            const leader = brokers().find((n) => n.nodeId === leaders[partition]);
            if (leader === undefined) throw new Error(`partition ${partition} has no running leader`);
            const answer = await fetchOnce(leader, options.topic, partition, this.#cursors[partition]!);
            if (answer.errorCode !== ErrorCode.NONE) throw new Error(`fetch error ${answer.errorCode}`);
            for (const record of answer.records) history.see(partition, record.offset, record.value);
            const last = answer.records[answer.records.length - 1];
            if (last !== undefined) this.#cursors[partition] = last.offset + 1;
          }
        } catch {
          this.errors++;
          leaders = [];
        }
        await pause(options.pauseMs);
      }
    })();
  }

  async #leaders(brokers: readonly ServerProcess[], topic: string): Promise<number[]> {
    for (const node of brokers) {
      const view = await topicView(node, topic).catch(() => null);
      if (view !== null) return view.map((p) => p.leader);
    }
    throw new Error('no broker answered Metadata');
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }
}

/**
 * acks=all writers that speak the protocol themselves: each finds its partition's leader
 * among `brokers()` (the ones the test has not paused), sends one batch there, and on any
 * error or silence forgets the leader and asks again. Unlike kafkajs, which may keep
 * refreshing metadata from a paused broker it holds a connection to, they never wait on a
 * broker the test paused for longer than `timeoutMs`.
 */
export class RawWriters {
  readonly stats: WriterStats = { sends: 0, acknowledged: 0, failed: 0, errors: new Map() };
  readonly #running: Promise<void>[];
  #stopped = false;

  constructor(
    brokers: () => readonly ServerProcess[],
    history: History,
    options: { topic: string; partitions: readonly number[]; recordsPerSend: number; pauseMs: number; prefix: string; timeoutMs: number },
  ) {
    this.#running = options.partitions.map(async (partition) => {
      let leader: ServerProcess | null = null;
      for (let seq = 0; !this.#stopped && seq < 1_000_000; seq++) {
        const values = Array.from({ length: options.recordsPerSend }, (_, i) => `${options.prefix}-p${partition}-${seq}-${i}`);
        try {
          leader ??= await findLeader(brokers(), options.topic, partition);
          this.stats.sends++;
          history.attempt(values);
          const answer = await produceWithin(leader, options.topic, partition, -1, values, options.timeoutMs);
          if (answer.errorCode !== ErrorCode.NONE) throw new Error(`error code ${answer.errorCode}`);
          history.ack(partition, answer.baseOffset, values);
          this.stats.acknowledged += values.length;
        } catch (error) {
          if (leader !== null) {
            this.stats.failed++;
            const name = (error as Error).message;
            this.stats.errors.set(name, (this.stats.errors.get(name) ?? 0) + 1);
          }
          leader = null;
        }
        await pause(options.pauseMs);
      }
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#running);
  }

  describe(): string {
    const errors = [...this.stats.errors].map(([name, count]) => `${name}×${count}`).join(', ');
    return `${this.stats.sends} sends, ${this.stats.acknowledged} records acknowledged, ${this.stats.failed} sends failed${errors ? ` (${errors})` : ''}`;
  }
}

async function findLeader(brokers: readonly ServerProcess[], topic: string, partition: number): Promise<ServerProcess> {
  for (const node of brokers) {
    const view = await topicView(node, topic).catch(() => null);
    const leaderId = view?.[partition]?.leader ?? -1;
    const leader = brokers.find((n) => n.nodeId === leaderId);
    if (leader !== undefined) return leader;
  }
  throw new Error(`no reachable leader for ${topic}-${partition}`);
}
