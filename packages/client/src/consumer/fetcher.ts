import { ApiKey, ErrorCode, type FetchResponse } from '@rill/protocol';
import { KafkaError, RillError } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { backoffMs } from '../cluster/retry.js';
import type { ResolvedConsumerOptions } from './options.js';
import { nextOffsetAfter } from './record-batches.js';
import type { PartitionState, SubscriptionState } from './subscription-state.js';

/**
 * Data of one partition from one fetch, waiting to be handed to the application. Records
 * are decoded when the application takes the batch, not when it arrives, so the next fetch
 * is on the wire while this one is decoded.
 */
export interface FetchedBatch {
  readonly state: PartitionState;
  /** The partition's seek epoch when fetched; a seek since makes the batch stale. */
  readonly epoch: number;
  readonly data: Buffer;
  readonly fetchOffset: number;
  readonly nextOffset: number;
  readonly highWatermark: number;
  readonly bytes: number;
}

export interface FetcherDeps {
  readonly cluster: Cluster;
  readonly subscriptions: SubscriptionState;
  readonly options: ResolvedConsumerOptions;
  /** New data, or a partition needs its position resolved again. */
  readonly onProgress: () => void;
  /** A failure the application must see (non-retriable). */
  readonly onError: (error: Error) => void;
}

/** Fetch errors that mean the leader moved or is not known yet. */
const leaderErrors: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.REPLICA_NOT_AVAILABLE,
]);

/**
 * Long-polls each partition leader with one Fetch at a time and queues what comes back.
 * Fetching stops while maxBufferedBytes are queued and resumes as the application takes
 * batches, so a slow application holds at most that much plus one response per broker.
 */
export class Fetcher {
  readonly #deps: FetcherDeps;
  readonly #buffer: FetchedBatch[] = [];
  readonly #inFlight = new Set<number>();
  readonly #retryAtMs = new Map<number, number>();
  #bufferedBytes = 0;
  #failures = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(deps: FetcherDeps) {
    this.#deps = deps;
  }

  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** The next batch for a partition still assigned, not paused and not sought since. */
  take(): FetchedBatch | undefined {
    for (let i = 0; i < this.#buffer.length; i++) {
      const batch = this.#buffer[i]!;
      const current =
        this.#deps.subscriptions.get(batch.state.topic, batch.state.partition) === batch.state &&
        batch.epoch === batch.state.epoch;
      if (current && batch.state.paused) continue;
      this.#buffer.splice(i, 1);
      i--;
      this.#bufferedBytes -= batch.bytes;
      if (current) {
        this.kick();
        return batch;
      }
    }
    this.kick();
    return undefined;
  }

  /** Starts a fetch to every leader that has fetchable partitions and none in flight. */
  kick(): void {
    if (this.#stopped || this.#bufferedBytes >= this.#deps.options.maxBufferedBytes) return;
    const now = performance.now();
    let missingLeader = false;
    let backedOffUntil = Infinity;
    const byLeader = new Map<number, PartitionState[]>();
    for (const state of this.#deps.subscriptions.all()) {
      if (state.paused || state.fetchOffset === null || state.pending !== null) continue;
      const leader = this.#deps.cluster.leaderFor(state.topic, state.partition);
      if (leader === undefined) {
        missingLeader = true;
        continue;
      }
      if (this.#inFlight.has(leader)) continue;
      const retryAt = this.#retryAtMs.get(leader) ?? 0;
      if (retryAt > now) {
        backedOffUntil = Math.min(backedOffUntil, retryAt);
        continue;
      }
      const list = byLeader.get(leader) ?? [];
      list.push(state);
      byLeader.set(leader, list);
    }
    for (const [leader, states] of byLeader) void this.#fetch(leader, states);
    if (missingLeader) this.#retryLater(-1, undefined);
    // A leader still backing off needs a later kick of its own: a timer may fire a little
    // before performance.now() reaches the backoff's end, and nothing else may come.
    else if (backedOffUntil !== Infinity) this.#wakeIn(backedOffUntil - now);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#buffer.length = 0;
    this.#bufferedBytes = 0;
  }

  async #fetch(leader: number, states: readonly PartitionState[]): Promise<void> {
    this.#inFlight.add(leader);
    const asked = states.map((state) => ({
      state,
      epoch: state.epoch,
      offset: state.fetchOffset!,
    }));
    const { options, cluster } = this.#deps;
    try {
      const connection = await cluster.nodeConnection(leader);
      const response = await connection.request(ApiKey.Fetch, this.#request(asked), {
        timeoutMs: cluster.options.requestTimeoutMs + options.maxWaitMs,
      });
      if (response.errorCode !== ErrorCode.NONE)
        throw new KafkaError(response.errorCode, { apiName: 'Fetch' });
      this.#handle(leader, response, asked);
      this.#failures = 0;
    } catch (error) {
      if (error instanceof RillError && error.retriable) this.#retryLater(leader, error);
      else if (!this.#stopped) this.#deps.onError(error as Error);
    } finally {
      this.#inFlight.delete(leader);
      this.kick();
    }
  }

  #request(asked: readonly { state: PartitionState; offset: number }[]) {
    const byTopic = new Map<
      string,
      { partition: number; fetchOffset: number; partitionMaxBytes: number }[]
    >();
    for (const { state, offset } of asked) {
      const list = byTopic.get(state.topic) ?? [];
      list.push({
        partition: state.partition,
        fetchOffset: offset,
        partitionMaxBytes: this.#deps.options.maxPartitionBytes,
      });
      byTopic.set(state.topic, list);
    }
    const { maxWaitMs, minBytes, maxBytes, isolationLevel } = this.#deps.options;
    return {
      replicaId: -1,
      maxWaitMs,
      minBytes,
      maxBytes,
      isolationLevel,
      // Sessionless full fetches (KIP-227 session id 0, epoch -1): every request lists every partition.
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      forgottenTopicsData: [],
      rackId: '',
    };
  }

  #handle(
    leader: number,
    response: FetchResponse,
    asked: readonly { state: PartitionState; epoch: number; offset: number }[],
  ): void {
    const byKey = new Map(asked.map((a) => [`${a.state.topic}\u0000${a.state.partition}`, a]));
    let progressed = false;
    for (const topic of response.responses) {
      for (const p of topic.partitions) {
        const ask = byKey.get(`${topic.topic}\u0000${p.partitionIndex}`);
        if (
          ask === undefined ||
          ask.state.epoch !== ask.epoch ||
          ask.state.fetchOffset !== ask.offset
        )
          continue;
        progressed = this.#handlePartition(leader, ask.state, ask.epoch, p) || progressed;
      }
    }
    if (progressed) this.#deps.onProgress();
  }

  #handlePartition(
    leader: number,
    state: PartitionState,
    epoch: number,
    p: FetchResponse['responses'][number]['partitions'][number],
  ): boolean {
    if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (this.#deps.options.autoOffsetReset === 'none') {
        this.#deps.onError(
          new KafkaError(p.errorCode, {
            apiName: 'Fetch',
            topic: state.topic,
            partition: state.partition,
          }),
        );
        return false;
      }
      state.pending = this.#deps.options.autoOffsetReset;
      return true;
    }
    if (leaderErrors.has(p.errorCode)) {
      this.#retryLater(leader, new KafkaError(p.errorCode));
      return false;
    }
    if (p.errorCode !== ErrorCode.NONE) {
      this.#deps.onError(
        new KafkaError(p.errorCode, {
          apiName: 'Fetch',
          topic: state.topic,
          partition: state.partition,
        }),
      );
      return false;
    }
    state.highWatermark = p.highWatermark;
    if (p.records === null || p.records.length === 0) return false;
    const fetchOffset = state.fetchOffset!;
    const nextOffset = nextOffsetAfter(p.records, fetchOffset);
    if (nextOffset === fetchOffset) return false;
    state.fetchOffset = nextOffset;
    const bytes = p.records.length;
    this.#buffer.push({
      state,
      epoch,
      data: p.records,
      fetchOffset,
      nextOffset,
      highWatermark: p.highWatermark,
      bytes,
    });
    this.#bufferedBytes += bytes;
    return true;
  }

  /** Backs off a leader (or, with -1, waits for metadata) after a retriable failure. */
  #retryLater(leader: number, error: Error | undefined): void {
    this.#failures++;
    const pause = backoffMs(this.#deps.cluster.options.retry, Math.min(this.#failures, 10));
    if (leader >= 0) this.#retryAtMs.set(leader, performance.now() + pause);
    if (error !== undefined)
      this.#deps.cluster.logger.debug('fetch failed; retrying', { leader, error: error.message });
    this.#deps.cluster.refreshMetadata().catch(() => undefined);
    this.#wakeIn(pause);
  }

  /** Kicks again in `delayMs`, unless a kick is already due. */
  #wakeIn(delayMs: number): void {
    if (this.#timer !== null || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.kick();
    }, Math.ceil(delayMs) + 1);
  }
}
