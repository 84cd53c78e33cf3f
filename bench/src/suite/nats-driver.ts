import { connect, createInbox, RetentionPolicy, StorageType, type Msg, type NatsConnection, type Subscription } from 'nats';
import type { BenchConsumer, BenchProducer, SystemDriver, ThroughputShape } from './driver.js';
import { NatsServers } from './nats-server.js';

export interface NatsDriverOptions {
  readonly binary: string;
  /** 1: one server, R1 file stream; 3: a 3-node cluster, R3 file stream. */
  readonly nodes: 1 | 3;
}

/**
 * Up to 2,048 publishes awaiting their acks (256 per send() call, 8 calls): more did not
 * raise throughput on the machine we measured and only lengthens the server's queues.
 */
const shape: ThroughputShape = { recordsPerSend: 256, sendsInFlight: 8 };

/** A send() whose acks have not all come back after this long fails the run. */
const ackTimeoutMs = 60_000;

/**
 * NATS JetStream (the Debian nats-server) through the `nats` npm client. A topic is a file
 * stream whose subjects are `<topic>.<partition>`: JetStream has no partitions, so the
 * partitions only spread the subjects of one stream (one Raft group in a cluster).
 */
export class NatsDriver implements SystemDriver {
  readonly id: string;
  readonly description: string;
  readonly #servers: NatsServers;
  readonly #replicas: number;
  readonly #connections = new Set<NatsConnection>();

  private constructor(options: NatsDriverOptions, servers: NatsServers) {
    this.#servers = servers;
    this.#replicas = options.nodes;
    this.id = `nats-${options.nodes}`;
    this.description = options.nodes === 1
      ? 'NATS JetStream, 1 node, R1 file stream'
      : 'NATS JetStream, 3 nodes, R3 file stream';
  }

  static async start(options: NatsDriverOptions): Promise<NatsDriver> {
    return new NatsDriver(options, await NatsServers.start(options.binary, options.nodes));
  }

  serverPids(): number[] {
    return this.#servers.pids;
  }

  async #connect(): Promise<NatsConnection> {
    const connection = await connect({ servers: this.#servers.urls, name: 'rill-bench', maxReconnectAttempts: 0, noAsyncTraces: true });
    this.#connections.add(connection);
    return connection;
  }

  async #release(connection: NatsConnection): Promise<void> {
    this.#connections.delete(connection);
    await connection.drain().catch(() => connection.close());
  }

  async createTopic(topic: string): Promise<void> {
    const connection = await this.#connect();
    try {
      const manager = await connection.jetstreamManager();
      await manager.streams.add({
        name: topic,
        subjects: [`${topic}.*`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        num_replicas: this.#replicas,
      });
    } finally {
      await this.#release(connection);
    }
  }

  async openProducer(topic: string): Promise<BenchProducer> {
    const connection = await this.#connect();
    const publisher = new PipelinedPublisher(connection, topic);
    return {
      shape,
      send: (values, partition) => publisher.send(values, partition),
      close: async () => {
        publisher.close();
        await this.#release(connection);
      },
    };
  }

  async openConsumer(topic: string, _partitions: number, onRecord: (value: Uint8Array) => void): Promise<BenchConsumer> {
    const connection = await this.#connect();
    const consumer = await connection.jetstream().consumers.get(topic);
    const messages = await consumer.consume({ max_messages: 10_000, callback: (message) => onRecord(message.data) });
    return {
      close: async () => {
        await messages.close();
        await this.#release(connection);
      },
    };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#connections].map((c) => c.close()));
    await this.#servers.stop();
  }
}

interface PendingSend {
  remaining: number;
  readonly sentAt: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Acknowledged publishes, pipelined the way the Go and Java clients' PublishAsync do it:
 * plain publishes whose reply subject is a wildcard inbox of this producer, one inbox token
 * per send() call, acks counted as they arrive. (The client's js.publish() is a request per
 * message, with a timer, a promise and an error object each; it reached a fifth of this.)
 */
class PipelinedPublisher {
  readonly #connection: NatsConnection;
  readonly #topic: string;
  readonly #inbox = createInbox();
  readonly #subscription: Subscription;
  readonly #pending = new Map<string, PendingSend>();
  readonly #subjects = new Map<number, string>();
  readonly #watchdog: NodeJS.Timeout;
  #nextToken = 0;

  constructor(connection: NatsConnection, topic: string) {
    this.#connection = connection;
    this.#topic = topic;
    this.#subscription = connection.subscribe(`${this.#inbox}.*`, { callback: (error, message) => this.#onAck(error, message) });
    this.#watchdog = setInterval(() => this.#expire(), 1000);
  }

  send(values: readonly Buffer[], partition: number): Promise<void> {
    const token = String(this.#nextToken++);
    const reply = `${this.#inbox}.${token}`;
    const subject = this.#subjectOf(partition);
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(token, { remaining: values.length, sentAt: performance.now(), resolve, reject });
      for (const value of values) this.#connection.publish(subject, value, { reply });
    });
  }

  close(): void {
    clearInterval(this.#watchdog);
    this.#subscription.unsubscribe();
    this.#fail(new Error('producer closed'));
  }

  #subjectOf(partition: number): string {
    let subject = this.#subjects.get(partition);
    if (subject === undefined) this.#subjects.set(partition, (subject = `${this.#topic}.${partition}`));
    return subject;
  }

  #onAck(error: Error | null, message: Msg): void {
    const token = message.subject.slice(this.#inbox.length + 1);
    const pending = this.#pending.get(token);
    if (pending === undefined) return;
    // A PubAck is {"stream":…,"seq":…}; a refusal carries "error", a 503 status no data.
    const data = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.length);
    if (error !== null || data.length === 0 || data.includes('"error"')) {
      this.#pending.delete(token);
      pending.reject(new Error(`JetStream refused a publish: ${error?.message ?? (data.toString() || 'no responders')}`));
      return;
    }
    if (--pending.remaining === 0) {
      this.#pending.delete(token);
      pending.resolve();
    }
  }

  #expire(): void {
    const now = performance.now();
    for (const pending of this.#pending.values()) {
      if (now - pending.sentAt > ackTimeoutMs) return this.#fail(new Error(`no JetStream ack within ${ackTimeoutMs} ms`));
    }
  }

  #fail(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
