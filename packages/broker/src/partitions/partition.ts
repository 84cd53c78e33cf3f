import type { AppendInfo, Log } from '@rill/storage';

export type DataListener = (partition: Partition, appendedBytes: number) => void;

/**
 * One partition replica on this node. With a single replica the in-sync set is this node
 * alone, so the high watermark follows the log end offset on every append; replication
 * replaces that rule with the minimum over the ISR.
 */
export class Partition {
  readonly topic: string;
  /** Tells this topic apart from an earlier or later one of the same name. */
  readonly topicId: string;
  readonly index: number;
  readonly log: Log;
  readonly #onData: DataListener;
  #leaderEpoch: number;
  #highWatermark: number;

  constructor(options: { topic: string; topicId: string; index: number; log: Log; leaderEpoch: number; onData: DataListener }) {
    this.topic = options.topic;
    this.topicId = options.topicId;
    this.index = options.index;
    this.log = options.log;
    this.#leaderEpoch = options.leaderEpoch;
    this.#onData = options.onData;
    this.#highWatermark = options.log.logEndOffset;
  }

  get key(): string {
    return partitionKey(this.topic, this.index);
  }

  get leaderEpoch(): number {
    return this.#leaderEpoch;
  }

  /** A new leader was elected: batches appended from now on carry its epoch. */
  leaderEpochChanged(epoch: number): void {
    if (epoch > this.#leaderEpoch) this.#leaderEpoch = epoch;
  }

  get highWatermark(): number {
    return this.#highWatermark;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  /** Appends validated batches as leader; throws StorageError when the disk refuses. */
  appendAsLeader(records: Buffer): AppendInfo {
    const info = this.log.append(records, { leaderEpoch: this.#leaderEpoch });
    this.#highWatermark = this.log.logEndOffset;
    this.#onData(this, info.sizeBytes);
    return info;
  }
}

export function partitionKey(topic: string, index: number): string {
  return `${topic}-${index}`;
}
