import { ApiKey, ErrorCode, type ProduceResponse } from '@rill/protocol';
import { DeadlineExceededError, KafkaError, RillError } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { backoffMs } from '../cluster/retry.js';
import type { PartitionQueue, RecordAccumulator } from './accumulator.js';
import type { ProducerIdentity } from './idempotence.js';
import type { MemoryBudget } from './memory-budget.js';
import type { ResolvedProducerOptions } from './options.js';
import type { ProducerBatch } from './producer-batch.js';
import { encodeProduceFrame } from './produce-request.js';

export interface SenderDeps {
  readonly cluster: Cluster;
  readonly accumulator: RecordAccumulator;
  readonly memory: MemoryBudget;
  readonly options: ResolvedProducerOptions;
  readonly identity: ProducerIdentity;
}

/** Produce errors after which the partition's leader must be looked up again. */
const staleMetadataCodes: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
]);

/**
 * Moves ready batches to partition leaders. It is woken by events — a batch filled or
 * compressed, a response arrived, a linger or backoff timer fired, metadata came back —
 * and each time sends what it can: per leader at most maxInFlightRequests requests, each
 * with at most one batch per partition. Failed batches are retried with backoff until
 * delivery.timeout.ms; with idempotence a partition whose batch is being retried sends one
 * request at a time until it is back in sequence order.
 */
export class Sender {
  readonly #deps: SenderDeps;
  readonly #inFlightByNode = new Map<number, number>();
  /** Per leader, where the next request starts picking partitions. */
  readonly #drainStart = new Map<number, number>();
  #wakeScheduled = false;
  #timer: NodeJS.Timeout | null = null;
  #timerAtMs = Infinity;
  #flushRequests = 0;
  #idleWaiters: (() => void)[] = [];
  #refreshingMetadata = false;
  #lastRefreshMs = -Infinity;

  constructor(deps: SenderDeps) {
    this.#deps = deps;
  }

  /** Schedules a drain on the next turn of the event loop (coalesced). */
  wake(): void {
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    setImmediate(() => this.#drain());
  }

  /** Sends everything now, ignoring linger, and resolves once nothing is pending. */
  async flush(): Promise<void> {
    this.#flushRequests++;
    try {
      while (this.#deps.accumulator.active.size > 0) {
        const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
        this.wake();
        await idle;
      }
    } finally {
      this.#flushRequests--;
    }
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #drain(): void {
    this.#wakeScheduled = false;
    const accumulator = this.#deps.accumulator;
    if (!this.#deps.identity.ready(this.#totalInFlight(), () => this.#resequence())) return;
    const now = performance.now();
    const byLeader = new Map<number, PartitionQueue[]>();
    let nextWakeMs = Infinity;
    let missingLeader = false;
    for (const queue of accumulator.active) {
      nextWakeMs = Math.min(nextWakeMs, this.#prepare(queue, now));
      if (queue.idle) {
        accumulator.active.delete(queue);
        continue;
      }
      if (this.#sendableHead(queue, now) === undefined) continue;
      const leader = this.#deps.cluster.leaderFor(queue.topic, queue.partition);
      if (leader === undefined) {
        missingLeader = true;
        continue;
      }
      const list = byLeader.get(leader) ?? [];
      list.push(queue);
      byLeader.set(leader, list);
    }
    for (const [leader, queues] of byLeader) this.#sendTo(leader, queues, now);
    if (missingLeader) this.#refreshMetadata();
    if (accumulator.active.size === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    this.#schedule(nextWakeMs);
  }

  /**
   * Expires old batches and closes a lingered open batch if it would go out now; returns when
   * to look again. While the leader has no room for another request, a lingered batch stays
   * open and keeps filling, as Kafka's does: closing it would queue many small batches that
   * leave one per request, so a slow acks=all round trip would turn into a growing backlog.
   */
  #prepare(queue: PartitionQueue, now: number): number {
    const { lingerMs, deliveryTimeoutMs } = this.#deps.options;
    let wakeAt = Infinity;
    const open = queue.open;
    if (open !== null) {
      const age = now - open.createdMs;
      const flushing = this.#flushRequests > 0 || this.#deps.memory.exhausted;
      if (age < lingerMs && !flushing) wakeAt = open.createdMs + lingerMs;
      else if (flushing || age >= deliveryTimeoutMs || this.#wouldSendNext(queue))
        this.#deps.accumulator.close(queue);
      // Otherwise the answer that frees the leader's request slot wakes the sender.
      else wakeAt = open.createdMs + deliveryTimeoutMs;
    }
    while (queue.ready.length > 0 && now - queue.ready[0]!.createdMs >= deliveryTimeoutMs) {
      const expired = queue.ready.shift()!;
      if (expired.baseSequence >= 0)
        this.#deps.identity.invalidate('a sequenced batch expired before it was acknowledged');
      this.#finish(queue, expired, {
        error: new DeadlineExceededError(
          `${queue.topic}[${queue.partition}]: not acknowledged within deliveryTimeoutMs (${deliveryTimeoutMs} ms)`,
        ),
      });
    }
    const head = queue.ready[0];
    if (head !== undefined) {
      wakeAt = Math.min(wakeAt, head.createdMs + deliveryTimeoutMs);
      if (head.retryAtMs > now) wakeAt = Math.min(wakeAt, head.retryAtMs);
    }
    return wakeAt;
  }

  /** Whether a batch closed now would be the partition's next and its leader could take it. */
  #wouldSendNext(queue: PartitionQueue): boolean {
    if (queue.ready.length > 0) return false;
    const leader = this.#deps.cluster.leaderFor(queue.topic, queue.partition);
    // Closed, it counts as waiting for a leader, and the drain asks for metadata.
    if (leader === undefined) return true;
    return (this.#inFlightByNode.get(leader) ?? 0) < this.#deps.options.maxInFlightRequests;
  }

  #sendableHead(queue: PartitionQueue, now: number): ProducerBatch | undefined {
    const head = queue.ready[0];
    if (head === undefined || !head.sendable || head.retryAtMs > now) return undefined;
    // Retrying in sequence order: one request at a time until the partition is caught up.
    const retrying = head.attempts > 0 || queue.inFlight.some((b) => b.attempts > 0);
    if (this.#deps.identity.enabled && retrying && queue.inFlight.length > 0) return undefined;
    return head;
  }

  #sendTo(leader: number, queues: readonly PartitionQueue[], now: number): void {
    const { maxInFlightRequests, maxRequestSize } = this.#deps.options;
    while ((this.#inFlightByNode.get(leader) ?? 0) < maxInFlightRequests) {
      const picked: { queue: PartitionQueue; batch: ProducerBatch }[] = [];
      let bytes = 0;
      // Each request starts one partition further on, as Kafka's drain does: when a request
      // cannot hold every partition's batch, the last ones would otherwise always wait.
      const start = this.#drainStart.get(leader) ?? 0;
      this.#drainStart.set(leader, start + 1);
      for (let i = 0; i < queues.length; i++) {
        const queue = queues[(start + i) % queues.length]!;
        const batch = this.#sendableHead(queue, now);
        if (batch === undefined || (picked.length > 0 && bytes + batch.sizeBytes > maxRequestSize))
          continue;
        queue.ready.shift();
        queue.inFlight.push(batch);
        this.#deps.identity.assignSequence(queue, batch);
        picked.push({ queue, batch });
        bytes += batch.sizeBytes;
      }
      if (picked.length === 0) return;
      this.#inFlightByNode.set(leader, (this.#inFlightByNode.get(leader) ?? 0) + 1);
      void this.#produce(leader, picked).finally(() => {
        this.#inFlightByNode.set(leader, (this.#inFlightByNode.get(leader) ?? 1) - 1);
        this.wake();
      });
    }
  }

  async #produce(
    leader: number,
    picked: readonly { queue: PartitionQueue; batch: ProducerBatch }[],
  ): Promise<void> {
    const { acks } = this.#deps.options;
    try {
      const connection = await this.#deps.cluster.nodeConnection(leader);
      const version = connection.version(ApiKey.Produce);
      const topics = this.#topicData(picked);
      const timeoutMs = this.#deps.cluster.options.requestTimeoutMs;
      const encode = (correlationId: number, clientId: string) =>
        encodeProduceFrame({ version, correlationId, clientId, acks, timeoutMs, topics });
      const response = await connection.requestFrames(ApiKey.Produce, version, encode, {
        expectResponse: acks !== 0,
      });
      if (acks === 0)
        for (const { queue, batch } of picked) this.#finish(queue, batch, { baseOffset: -1 });
      else this.#handleResponse(picked, response);
    } catch (error) {
      const failure =
        error instanceof RillError
          ? error
          : new RillError(String(error), { retriable: false, cause: error });
      for (const { queue, batch } of picked) this.#retryOrFail(queue, batch, failure, undefined);
    }
  }

  #topicData(picked: readonly { queue: PartitionQueue; batch: ProducerBatch }[]) {
    const byTopic = new Map<string, { index: number; records: Buffer }[]>();
    for (const { queue, batch } of picked) {
      const list = byTopic.get(queue.topic) ?? [];
      list.push({
        index: queue.partition,
        records: batch.seal(this.#deps.identity.batchIdentity(batch)),
      });
      byTopic.set(queue.topic, list);
    }
    return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
  }

  #handleResponse(
    picked: readonly { queue: PartitionQueue; batch: ProducerBatch }[],
    response: ProduceResponse,
  ): void {
    const answers = new Map<string, { errorCode: number; baseOffset: number }>();
    for (const topic of response.responses) {
      for (const p of topic.partitionResponses) answers.set(`${topic.name}\u0000${p.index}`, p);
    }
    for (const { queue, batch } of picked) {
      const answer = answers.get(`${queue.topic}\u0000${queue.partition}`);
      const code = answer?.errorCode ?? ErrorCode.NETWORK_EXCEPTION;
      // DUPLICATE_SEQUENCE_NUMBER: the broker already has this batch; it counts as written.
      if (code === ErrorCode.NONE || code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        this.#finish(queue, batch, { baseOffset: answer!.baseOffset });
        continue;
      }
      const error = new KafkaError(code, {
        apiName: 'Produce',
        topic: queue.topic,
        partition: queue.partition,
      });
      this.#retryOrFail(queue, batch, error, code);
    }
  }

  #retryOrFail(
    queue: PartitionQueue,
    batch: ProducerBatch,
    error: RillError,
    code: number | undefined,
  ): void {
    removeFrom(queue.inFlight, batch);
    if (code === undefined || staleMetadataCodes.has(code)) this.#refreshMetadata();
    const identityVerdict = this.#deps.identity.judge(queue, batch, code);
    const retriable =
      identityVerdict === 'retry' || (identityVerdict === 'default' && error.retriable);
    const now = performance.now();
    const options = this.#deps.options;
    if (
      !retriable ||
      now - batch.createdMs >= options.deliveryTimeoutMs ||
      batch.attempts >= options.retries
    ) {
      // Whether the broker wrote it is unknown, so the batches after it may follow a gap.
      if (batch.baseSequence >= 0)
        this.#deps.identity.invalidate(`a sequenced batch failed: ${error.message}`);
      return this.#finish(queue, batch, { error });
    }
    batch.attempts++;
    batch.retryAtMs = now + backoffMs(this.#deps.cluster.options.retry, batch.attempts);
    insertInOrder(queue.ready, batch);
  }

  /** Completes a batch either way: frees its memory and settles every send() waiting on it. */
  #finish(
    queue: PartitionQueue,
    batch: ProducerBatch,
    outcome: { baseOffset: number } | { error: Error },
  ): void {
    removeFrom(queue.inFlight, batch);
    this.#deps.memory.free(batch.buffer, batch.reservedBytes);
    for (const waiter of batch.waiters) {
      if ('error' in outcome) waiter.tracker.fail(outcome.error);
      else {
        const baseOffset =
          outcome.baseOffset < 0 ? -1 : outcome.baseOffset + waiter.firstOffsetDelta;
        waiter.tracker.done({
          topic: queue.topic,
          partition: queue.partition,
          baseOffset,
          recordCount: waiter.count,
        });
      }
    }
  }

  /** After a new producer id: sequences restart at 0 for every partition, in queue order. */
  #resequence(): void {
    for (const queue of this.#deps.accumulator.active) {
      queue.nextSequence = 0;
      for (const batch of queue.ready) batch.baseSequence = -1;
    }
    this.wake();
  }

  /**
   * One metadata refresh at a time, and at most one per retry.backoff.ms: while a leader
   * stays unknown (an election), every drain would otherwise ask again at once.
   */
  #refreshMetadata(): void {
    if (this.#refreshingMetadata) return;
    this.#refreshingMetadata = true;
    const cluster = this.#deps.cluster;
    const waitMs = Math.max(
      0,
      this.#lastRefreshMs + cluster.options.retry.initialBackoffMs - performance.now(),
    );
    const done = () => {
      this.#lastRefreshMs = performance.now();
      this.#refreshingMetadata = false;
      this.wake();
    };
    const refresh = () =>
      cluster.refreshMetadata().then(done, (error: unknown) => {
        cluster.logger.warn('metadata refresh failed; retrying', { error: String(error) });
        done();
      });
    // At once when allowed, so the refresh is under way before the batch's own retry is due.
    if (waitMs === 0) void refresh();
    else setTimeout(refresh, waitMs).unref();
  }

  #totalInFlight(): number {
    let total = 0;
    for (const count of this.#inFlightByNode.values()) total += count;
    return total;
  }

  #schedule(atMs: number): void {
    if (atMs === Infinity || (this.#timer !== null && this.#timerAtMs <= atMs)) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timerAtMs = atMs;
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.#timerAtMs = Infinity;
        this.wake();
      },
      Math.max(0, Math.ceil(atMs - performance.now())),
    );
  }
}

function removeFrom(list: ProducerBatch[], batch: ProducerBatch): void {
  const at = list.indexOf(batch);
  if (at >= 0) list.splice(at, 1);
}

/** Puts a retried batch back before every batch sent after it (by sequence, else first). */
function insertInOrder(ready: ProducerBatch[], batch: ProducerBatch): void {
  if (batch.baseSequence < 0) return void ready.unshift(batch);
  let at = 0;
  while (
    at < ready.length &&
    ready[at]!.baseSequence >= 0 &&
    ready[at]!.baseSequence < batch.baseSequence
  )
    at++;
  ready.splice(at, 0, batch);
}
