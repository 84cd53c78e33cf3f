import type { MemoryBudget } from './memory-budget.js';
import { ProducerBatch, type Compression, type SendTracker } from './producer-batch.js';
import type { MeasuredRecord } from './record-writer.js';

/** Everything the producer holds for one partition, in the order it must reach the broker. */
export class PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  /** The batch records are appended to now. */
  open: ProducerBatch | null = null;
  /** Closed batches waiting to be sent, oldest (lowest sequence) first. */
  readonly ready: ProducerBatch[] = [];
  /** Sent and not yet answered. */
  readonly inFlight: ProducerBatch[] = [];
  /** The next sequence number to hand out (idempotence). */
  nextSequence = 0;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  get idle(): boolean {
    return this.open === null && this.ready.length === 0 && this.inFlight.length === 0;
  }
}

export interface AccumulatorOptions {
  readonly batchSize: number;
  readonly compression: Compression;
  readonly memory: MemoryBudget;
  /** Called when a batch becomes ready to send (closed, or compressed). */
  readonly onReady: () => void;
}

/**
 * Collects records into per-partition batches (batch.size) whose capacity is reserved from
 * the buffer memory before allocation. Queues with anything pending are kept in `active`,
 * so the sender never walks partitions that have nothing to do.
 */
export class RecordAccumulator {
  readonly active = new Set<PartitionQueue>();
  readonly #queues = new Map<string, PartitionQueue[]>();
  readonly #options: AccumulatorOptions;

  constructor(options: AccumulatorOptions) {
    this.#options = options;
  }

  queue(topic: string, partition: number): PartitionQueue {
    let byPartition = this.#queues.get(topic);
    if (byPartition === undefined) {
      byPartition = [];
      this.#queues.set(topic, byPartition);
    }
    let queue = byPartition[partition];
    if (queue === undefined) {
      queue = new PartitionQueue(topic, partition);
      byPartition[partition] = queue;
    }
    return queue;
  }

  /** Appends without waiting; false when a new batch is needed and no memory is free now. */
  tryAppend(
    queue: PartitionQueue,
    record: MeasuredRecord,
    tracker: SendTracker,
    nowMs: number,
  ): boolean {
    const open = queue.open;
    if (open !== null) {
      const offsetDelta = open.tryAppend(record);
      if (offsetDelta >= 0) {
        addWaiter(open, tracker, offsetDelta);
        return true;
      }
      this.close(queue);
    }
    const capacity = this.#capacityFor(record);
    if (!this.#options.memory.tryReserve(capacity)) return false;
    this.#start(queue, capacity, record, tracker, nowMs);
    return true;
  }

  /** Appends after waiting for buffer memory (send() blocks here, up to `timeoutMs`). */
  async appendWaiting(
    queue: PartitionQueue,
    record: MeasuredRecord,
    tracker: SendTracker,
    timeoutMs: number,
  ): Promise<void> {
    const capacity = this.#capacityFor(record);
    this.#options.onReady();
    await this.#options.memory.reserve(capacity, timeoutMs);
    // Another send may have opened a batch for this partition while we waited.
    const open = queue.open;
    if (open !== null) {
      const offsetDelta = open.tryAppend(record);
      if (offsetDelta >= 0) {
        this.#options.memory.release(capacity);
        addWaiter(open, tracker, offsetDelta);
        return;
      }
      this.close(queue);
    }
    this.#start(queue, capacity, record, tracker, performance.now());
  }

  /** Closes the open batch of a queue: it becomes ready to send (after compression). */
  close(queue: PartitionQueue): void {
    const open = queue.open;
    if (open === null) return;
    queue.open = null;
    queue.ready.push(open);
    open.close(this.#options.compression, this.#options.onReady);
  }

  #capacityFor(record: MeasuredRecord): number {
    return Math.max(this.#options.batchSize, ProducerBatch.capacityFor(record));
  }

  #start(
    queue: PartitionQueue,
    capacity: number,
    record: MeasuredRecord,
    tracker: SendTracker,
    nowMs: number,
  ): void {
    const buffer = this.#options.memory.allocate(capacity);
    const batch = new ProducerBatch({
      topic: queue.topic,
      partition: queue.partition,
      buffer,
      nowMs,
    });
    const offsetDelta = batch.tryAppend(record);
    addWaiter(batch, tracker, offsetDelta);
    queue.open = batch;
    this.active.add(queue);
  }
}

function addWaiter(batch: ProducerBatch, tracker: SendTracker, offsetDelta: number): void {
  const last = batch.waiters[batch.waiters.length - 1];
  if (
    last !== undefined &&
    last.tracker === tracker &&
    last.firstOffsetDelta + last.count === offsetDelta
  ) {
    last.count++;
    return;
  }
  tracker.addPart();
  batch.waiters.push({ tracker, firstOffsetDelta: offsetDelta, count: 1 });
}
