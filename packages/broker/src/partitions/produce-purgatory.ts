import { ErrorCode } from '@rill/protocol';
import { parkedProducesMax } from '../limits.js';
import type { Partition } from './partition.js';

interface ParkedAppend {
  readonly partition: Partition;
  readonly leaderEpoch: number;
  /** The high watermark must reach this: the appended batch's last offset + 1. */
  readonly requiredOffset: number;
  readonly timer: NodeJS.Timeout;
  readonly finish: (errorCode: number) => void;
}

/**
 * acks=all appends wait here until the high watermark passes them (DESIGN §7). A waiter is
 * settled exactly once: by the high watermark, by its timeout (REQUEST_TIMED_OUT, as Kafka),
 * or by its partition losing leadership (NOT_LEADER_OR_FOLLOWER: the write may or may not
 * survive, and the producer must retry on the new leader).
 */
export class ProducePurgatory {
  readonly #byPartition = new Map<string, Set<ParkedAppend>>();
  readonly #mayAcknowledge: () => boolean;
  #count = 0;

  /**
   * @param mayAcknowledge false while this broker's session with the controller may have
   *   expired: it may have been fenced and replaced, so it must not acknowledge (I11).
   */
  constructor(mayAcknowledge: () => boolean) {
    this.#mayAcknowledge = mayAcknowledge;
  }

  get size(): number {
    return this.#count;
  }

  /** Resolves with the partition's error code for this append. */
  park(partition: Partition, requiredOffset: number, timeoutMs: number): Promise<number> {
    if (this.#count >= parkedProducesMax) return Promise.resolve(ErrorCode.REQUEST_TIMED_OUT);
    return new Promise((resolve) => {
      let done = false;
      const parked: ParkedAppend = {
        partition,
        leaderEpoch: partition.leaderEpoch,
        requiredOffset,
        timer: setTimeout(() => parked.finish(ErrorCode.REQUEST_TIMED_OUT), Math.max(0, timeoutMs)),
        finish: (errorCode) => {
          if (done) return;
          done = true;
          clearTimeout(parked.timer);
          this.#remove(parked);
          resolve(errorCode);
        },
      };
      this.#add(parked);
      this.check(partition);
    });
  }

  /** The partition's high watermark or role changed: settle what is decided. */
  check(partition: Partition): void {
    const waiting = this.#byPartition.get(partition.key);
    if (waiting === undefined) return;
    for (const parked of [...waiting]) {
      const leader = parked.partition.leader;
      if (leader === null || leader.leaderEpoch !== parked.leaderEpoch || parked.partition !== partition || !this.#mayAcknowledge()) {
        parked.finish(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        continue;
      }
      const status = leader.acksAllStatus(parked.requiredOffset);
      if (status === 'satisfied') parked.finish(ErrorCode.NONE);
      else if (status === 'notEnoughReplicasAfterAppend') parked.finish(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    }
  }

  /** Settles every waiter with NOT_LEADER_OR_FOLLOWER, for shutdown. */
  abortAll(): void {
    for (const waiting of [...this.#byPartition.values()]) {
      for (const parked of [...waiting]) parked.finish(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
  }

  #add(parked: ParkedAppend): void {
    this.#count++;
    let waiting = this.#byPartition.get(parked.partition.key);
    if (waiting === undefined) {
      waiting = new Set();
      this.#byPartition.set(parked.partition.key, waiting);
    }
    waiting.add(parked);
  }

  #remove(parked: ParkedAppend): void {
    this.#count--;
    const waiting = this.#byPartition.get(parked.partition.key);
    waiting?.delete(parked);
    if (waiting?.size === 0) this.#byPartition.delete(parked.partition.key);
  }
}
