import { ErrorCode } from '@rill/protocol';
import { ClosedError, DeadlineExceededError, InvalidArgumentError, KafkaError } from '../errors.js';
import { Cluster, isTransientTopicError } from '../cluster/cluster.js';
import type { TopicInfo } from '../cluster/metadata.js';
import { backoffMs, delay } from '../cluster/retry.js';
import { RecordAccumulator } from './accumulator.js';
import { ProducerIdentity } from './idempotence.js';
import { MemoryBudget } from './memory-budget.js';
import {
  resolveProducerOptions,
  type ProducerOptions,
  type ResolvedProducerOptions,
} from './options.js';
import { defaultPartitioner, type Partitioner } from './partitioner.js';
import { ProducerBatch, SendTracker, type RecordMetadata } from './producer-batch.js';
import {
  byteLength,
  fixedBytesOf,
  measureHeaders,
  recordSize,
  type Bytes,
  type MeasuredRecord,
  type RecordHeader,
} from './record-writer.js';
import { Sender } from './sender.js';

export interface ProducerRecord {
  readonly key?: Bytes;
  readonly value: Bytes;
  readonly headers?: Readonly<Record<string, Bytes>> | readonly RecordHeader[];
  /** Overrides the partitioner. */
  readonly partition?: number;
  /** CreateTime in ms since the epoch; defaults to now. */
  readonly timestamp?: number;
}

export interface SendArgs {
  readonly topic: string;
  readonly messages: readonly ProducerRecord[];
}

const NO_HEADERS: readonly RecordHeader[] = [];

/**
 * Sends records to topics, batched per partition.
 *
 * ```ts
 * const producer = new Producer({ brokers: ['localhost:9092'] });
 * await producer.connect();
 * await producer.send({ topic: 'orders', messages: [{ key: 'customer-7', value: '{"total": 12}' }] });
 * await producer.close();
 * ```
 *
 * send() resolves once every record is acknowledged as `acks` asks; it waits (up to
 * maxBlockMs) when the buffer memory is full rather than letting memory grow.
 */
export class Producer {
  readonly #cluster: Cluster;
  readonly #options: ResolvedProducerOptions;
  readonly #memory: MemoryBudget;
  readonly #accumulator: RecordAccumulator;
  readonly #identity: ProducerIdentity;
  readonly #sender: Sender;
  readonly #partitioner: Partitioner;
  #connecting: Promise<void> | null = null;
  #closed = false;

  constructor(options: ProducerOptions) {
    this.#options = resolveProducerOptions(options);
    this.#cluster = new Cluster({
      ...options,
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? true,
    });
    this.#memory = new MemoryBudget(this.#options.bufferMemoryBytes, this.#options.batchSize);
    this.#identity = new ProducerIdentity(this.#cluster);
    this.#accumulator = new RecordAccumulator({
      batchSize: this.#options.batchSize,
      compression: this.#options.compression,
      memory: this.#memory,
      onReady: () => this.#sender.wake(),
    });
    this.#sender = new Sender({
      cluster: this.#cluster,
      accumulator: this.#accumulator,
      memory: this.#memory,
      options: this.#options,
      identity: this.#identity,
    });
    this.#partitioner =
      options.partitioner ?? defaultPartitioner({ stickyBytes: this.#options.batchSize });
  }

  /** Whether batches carry a producer id and sequence numbers (known after connect()). */
  get idempotent(): boolean {
    return this.#identity.enabled;
  }

  /** Reaches the cluster and, with idempotence, obtains a producer id. send() calls it too. */
  connect(): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('Producer'));
    this.#connecting ??= (async () => {
      await this.#cluster.refreshMetadata();
      this.#cluster.keepFresh();
      await this.#identity.start(this.#options.idempotence);
    })();
    this.#connecting.catch(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async send(args: SendArgs): Promise<RecordMetadata[]> {
    if (this.#closed) throw new ClosedError('Producer');
    await this.connect();
    const started = performance.now();
    const topic = await this.#topicInfo(args.topic, started);
    const available = topic.partitions.filter((p) => p.leader >= 0).map((p) => p.partition);
    const timestamp = Date.now();
    // Every record is checked and placed before any is appended, so a bad one fails the
    // whole call without half of it being sent.
    const records = args.messages.map((message) => this.#measure(message, timestamp, args.topic));
    const placer = this.#placer(topic, available);
    const partitions = args.messages.map((message, i) => placer(message, records[i]!));
    const tracker = new SendTracker();
    const now = performance.now();
    for (let i = 0; i < records.length; i++) {
      const queue = this.#accumulator.queue(args.topic, partitions[i]!);
      if (!this.#accumulator.tryAppend(queue, records[i]!, tracker, now)) {
        const leftMs = this.#options.maxBlockMs - (performance.now() - started);
        await this.#accumulator.appendWaiting(queue, records[i]!, tracker, Math.max(1, leftMs));
      }
    }
    tracker.sealed();
    this.#sender.wake();
    return tracker.promise;
  }

  /** Sends everything buffered now, without waiting for linger, and waits for the answers. */
  flush(): Promise<void> {
    return this.#sender.flush();
  }

  /** Flushes, then closes connections. Sends after close() fail with ClosedError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#sender.flush();
    } finally {
      this.#sender.stop();
      this.#memory.abort(new ClosedError('Producer'));
      await this.#cluster.close();
    }
  }

  #measure(message: ProducerRecord, now: number, topic: string): MeasuredRecord {
    const key =
      typeof message.key === 'string' ? Buffer.from(message.key, 'utf8') : (message.key ?? null);
    const headers = toHeaders(message.headers);
    const keyBytes = byteLength(key);
    const valueBytes = byteLength(message.value);
    const headersBytes = headers === NO_HEADERS ? 1 : measureHeaders(headers);
    const record: MeasuredRecord = {
      key,
      keyBytes,
      value: message.value,
      valueBytes,
      headers,
      headersBytes,
      fixedBytes: fixedBytesOf(keyBytes, valueBytes, headersBytes),
      timestamp: message.timestamp ?? now,
    };
    if (ProducerBatch.capacityFor(record) > this.#options.maxRequestSize) {
      throw new InvalidArgumentError(
        `a record of ${recordSize(record, 0, 0)} bytes for ${topic} is larger than maxRequestSize (${this.#options.maxRequestSize})`,
      );
    }
    return record;
  }

  /**
   * Places records of one send() on partitions: an explicit partition is checked, the rest
   * go to the partitioner with one reused input object (one per record was measurable).
   */
  #placer(topic: TopicInfo, available: readonly number[]) {
    const count = topic.partitions.length;
    const input = {
      topic: topic.name,
      key: null as Buffer | null,
      partitionCount: count,
      availablePartitions: available,
      recordBytes: 0,
    };
    return (message: ProducerRecord, record: MeasuredRecord): number => {
      if (message.partition === undefined) {
        input.key = record.key as Buffer | null;
        input.recordBytes = record.fixedBytes;
        return this.#partitioner(input);
      }
      if (
        !Number.isInteger(message.partition) ||
        message.partition < 0 ||
        message.partition >= count
      ) {
        throw new InvalidArgumentError(
          `partition ${message.partition} does not exist: ${topic.name} has ${count} partitions`,
        );
      }
      return message.partition;
    };
  }

  /** The topic's partitions; waits up to maxBlockMs for a topic being created or electing. */
  async #topicInfo(name: string, started: number): Promise<TopicInfo> {
    for (let attempt = 1; ; attempt++) {
      const metadata = await this.#cluster.metadataFor([name]);
      const topic = metadata.topics.get(name);
      if (topic !== undefined && topic.errorCode === ErrorCode.NONE && topic.partitions.length > 0)
        return topic;
      const code = topic?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (!isTransientTopicError(code) && code !== ErrorCode.NONE)
        throw new KafkaError(code, { apiName: 'Metadata', topic: name });
      if (performance.now() - started >= this.#options.maxBlockMs) {
        throw new DeadlineExceededError(
          `topic ${name} is not available after ${this.#options.maxBlockMs} ms (${new KafkaError(code).name}): does it exist?`,
        );
      }
      await delay(backoffMs(this.#cluster.options.retry, attempt));
      await this.#cluster.refreshMetadata();
    }
  }
}

function toHeaders(headers: ProducerRecord['headers']): readonly RecordHeader[] {
  if (headers === undefined) return NO_HEADERS;
  if (Array.isArray(headers)) return headers as readonly RecordHeader[];
  return Object.entries(headers as Readonly<Record<string, Bytes>>).map(([key, value]) => ({
    key,
    value,
  }));
}
