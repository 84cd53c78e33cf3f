import { ApiKey, ErrorCode } from '@rill/protocol';
import { KafkaError, UnsupportedFeatureError } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { backoffMs, withRetry } from '../cluster/retry.js';
import type { PartitionQueue } from './accumulator.js';
import type { BatchIdentity, ProducerBatch } from './producer-batch.js';

const SEQUENCE_MODULUS = 2 ** 31;
/** Non-transactional producers send no transaction timeout the broker would check. */
const NO_TRANSACTION_TIMEOUT_MS = 0x7fffffff;
const NOT_IDEMPOTENT: BatchIdentity = { producerId: -1, producerEpoch: -1, baseSequence: -1 };

export type SequenceVerdict = 'retry' | 'fail' | 'default';

/**
 * The idempotent producer's identity (producer id and epoch from InitProducerId) and the
 * sequence-number rules of KIP-98: each partition's batches carry consecutive sequences,
 * wrapping at 2^31; a sequence problem the broker reports either means an earlier batch is
 * being retried (so retry this one after it) or that the sequence is broken, in which case
 * the producer takes a new id and every unsent batch is numbered again from 0.
 */
export class ProducerIdentity {
  #enabled = false;
  #producerId = -1;
  #producerEpoch = -1;
  #invalid = false;
  #initializing = false;
  #failures = 0;
  readonly #cluster: Cluster;

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  get producerId(): number {
    return this.#producerId;
  }

  /**
   * Turns idempotence on if the cluster serves InitProducerId. 'preferred' (the default)
   * falls back to plain produce with one warning; 'required' fails instead.
   */
  async start(mode: 'required' | 'preferred' | 'off'): Promise<void> {
    if (mode === 'off') return;
    const connection = await this.#cluster.anyConnection();
    if (!connection.supports(ApiKey.InitProducerId)) {
      const why = `broker ${connection.addressText} does not serve InitProducerId (API 22)`;
      if (mode === 'required')
        throw new UnsupportedFeatureError(
          `idempotent: true, but ${why}: set idempotent: false to produce without it`,
        );
      this.#cluster.logger.warn(
        `${why}: producing without idempotence (retries may write duplicates)`,
      );
      return;
    }
    this.#enabled = true;
    await this.#initProducerId();
  }

  /** The sequence is broken: get a new producer id before sending more. */
  invalidate(reason: string): void {
    if (!this.#enabled || this.#invalid) return;
    this.#invalid = true;
    this.#cluster.logger.warn(
      `idempotent producer ${this.#producerId} takes a new producer id: ${reason}`,
    );
  }

  /**
   * Whether batches may be sent now. After invalidate(), waits until nothing is in flight,
   * fetches a new id, then calls `resequence` so unsent batches are numbered again.
   */
  ready(inFlight: number, resequence: () => void): boolean {
    if (!this.#invalid) return true;
    if (inFlight > 0 || this.#initializing) return false;
    this.#initializing = true;
    this.#initProducerId().then(
      () => {
        this.#invalid = false;
        this.#initializing = false;
        this.#failures = 0;
        resequence();
      },
      (error: unknown) => {
        this.#failures++;
        this.#cluster.logger.warn('InitProducerId failed; retrying', { error: String(error) });
        setTimeout(
          () => {
            this.#initializing = false;
            resequence();
          },
          backoffMs(this.#cluster.options.retry, this.#failures),
        ).unref();
      },
    );
    return false;
  }

  assignSequence(queue: PartitionQueue, batch: ProducerBatch): void {
    if (!this.#enabled || batch.baseSequence >= 0) return;
    batch.baseSequence = queue.nextSequence;
    queue.nextSequence = (queue.nextSequence + batch.recordCount) % SEQUENCE_MODULUS;
  }

  batchIdentity(batch: ProducerBatch): BatchIdentity {
    if (!this.#enabled) return NOT_IDEMPOTENT;
    return {
      producerId: this.#producerId,
      producerEpoch: this.#producerEpoch,
      baseSequence: batch.baseSequence,
    };
  }

  /** How a failed batch should be treated given the sequence rules; 'default' = by retriability. */
  judge(queue: PartitionQueue, batch: ProducerBatch, code: number | undefined): SequenceVerdict {
    if (!this.#enabled || code === undefined) return 'default';
    if (code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_ID_MAPPING) {
      this.invalidate(`the broker does not know producer id ${this.#producerId}`);
      return 'retry';
    }
    if (code !== ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) return 'default';
    const earlierPending = [...queue.ready, ...queue.inFlight].some(
      (b) => b.baseSequence >= 0 && b.baseSequence < batch.baseSequence,
    );
    // Either way the broker wrote nothing, so the batch can go again: after the earlier one,
    // or under a new producer id whose sequences start over.
    if (!earlierPending)
      this.invalidate(`${queue.topic}[${queue.partition}] lost sequence ${batch.baseSequence}`);
    return 'retry';
  }

  async #initProducerId(): Promise<void> {
    const response = await withRetry(async () => {
      const answer = await this.#cluster.requestAny(ApiKey.InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs: NO_TRANSACTION_TIMEOUT_MS,
      });
      if (answer.errorCode !== ErrorCode.NONE)
        throw new KafkaError(answer.errorCode, { apiName: 'InitProducerId' });
      return answer;
    }, this.#cluster.options.retry);
    this.#producerId = response.producerId;
    this.#producerEpoch = response.producerEpoch;
  }
}
