import { Admin, Consumer, Producer, type Acks } from '@rill/client';
import { Cluster, ServerProcess } from '@rill/testkit';
import type { BenchConsumer, BenchProducer, SystemDriver, ThroughputShape } from './driver.js';

export interface RillDriverOptions {
  /** 1: a single node with replication factor 1 and acks=1; 3: RF 3, acks=all, min.insync.replicas=2. */
  readonly nodes: 1 | 3;
  /** Node.js flags for every server, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
  /** Extra server properties (Kafka names), e.g. log.flush.on.ack=true. */
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * One send() call carries about a batch (up to 1,000 records, at most ~1 MiB); 32 calls in
 * flight keep the accumulator full.
 */
const shapeFor = (recordBytes: number): ThroughputShape => ({
  recordsPerSend: Math.max(1, Math.min(1000, Math.floor((1024 * 1024) / recordBytes))),
  sendsInFlight: 32,
});
/** Batches as large as a request (Kafka's default batch.size of 16 KiB costs a request per 16 KiB). */
const batchBytes = 960 * 1024;
const fetchBytesMax = 16 * 1024 * 1024;

/**
 * Rill through its bundled client: rill-server processes on 127.0.0.1 started by the
 * testkit, one Producer and one Consumer per bench producer/consumer.
 */
export class RillDriver implements SystemDriver {
  readonly id: string;
  readonly description: string;
  readonly #servers: readonly ServerProcess[];
  readonly #cluster: Cluster | null;
  readonly #acks: Acks;
  readonly #replicationFactor: number;

  private constructor(options: RillDriverOptions, servers: readonly ServerProcess[], cluster: Cluster | null) {
    this.#servers = servers;
    this.#cluster = cluster;
    this.#acks = options.nodes === 1 ? 1 : 'all';
    this.#replicationFactor = options.nodes;
    this.id = `rill-${options.nodes}`;
    const extra = Object.entries(options.properties ?? {}).map(([key, value]) => `, ${key}=${value}`).join('');
    this.description = options.nodes === 1
      ? `Rill, 1 node, RF 1, acks=1${extra}`
      : `Rill, 3 nodes, RF 3, acks=all, min.insync.replicas=2${extra}`;
  }

  static async start(options: RillDriverOptions): Promise<RillDriver> {
    const properties = { 'auto.create.topics.enable': false, 'min.insync.replicas': options.nodes === 1 ? 1 : 2, ...options.properties };
    const nodeArgs = options.nodeArgs ?? [];
    if (options.nodes === 1) {
      const server = await ServerProcess.start({ properties, nodeArgs });
      return new RillDriver(options, [server], null);
    }
    const cluster = await Cluster.start({ nodes: 3, properties, nodeArgs });
    return new RillDriver(options, cluster.nodes, cluster);
  }

  get #brokers(): string[] {
    return this.#servers.map((s) => s.bootstrap);
  }

  serverPids(): number[] {
    return this.#servers.map((s) => s.pid!);
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    const admin = new Admin({ brokers: this.#brokers, clientId: 'rill-bench' });
    try {
      await admin.createTopics([{ name: topic, partitions, replicationFactor: this.#replicationFactor }], { timeoutMs: 60_000 });
    } finally {
      await admin.close();
    }
  }

  async openProducer(topic: string, _partitions: number, recordBytes: number): Promise<BenchProducer> {
    const producer = new Producer({
      brokers: this.#brokers,
      clientId: 'rill-bench',
      acks: this.#acks,
      batchSize: batchBytes,
      lingerMs: 1,
      maxRequestSize: 1024 * 1024,
      bufferMemoryBytes: 64 * 1024 * 1024,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    return {
      shape: shapeFor(recordBytes),
      send: async (values, partition) => {
        await producer.send({ topic, messages: values.map((value) => ({ value, partition })) });
      },
      close: () => producer.close(),
    };
  }

  async openConsumer(topic: string, partitions: number, onRecord: (value: Uint8Array) => void): Promise<BenchConsumer> {
    const consumer = new Consumer({
      brokers: this.#brokers,
      clientId: 'rill-bench',
      autoOffsetReset: 'earliest',
      maxWaitMs: 500,
      maxBytes: fetchBytesMax,
      maxPartitionBytes: Math.max(1024 * 1024, Math.floor(fetchBytesMax / partitions)),
      maxBufferedBytes: 4 * fetchBytesMax,
    });
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    const loop = (async () => {
      for await (const batch of consumer) {
        for (const record of batch.records) onRecord(record.value ?? empty);
      }
    })();
    return {
      close: async () => {
        consumer.interrupt();
        await loop.catch(() => undefined);
        await consumer.close();
      },
    };
  }

  async stop(): Promise<void> {
    if (this.#cluster !== null) await this.#cluster.destroy();
    else await Promise.all(this.#servers.map((s) => s.destroy()));
  }
}

const empty = new Uint8Array(0);
