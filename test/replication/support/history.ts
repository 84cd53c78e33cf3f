import type { PartitionRead } from './wire.js';

/**
 * What clients did and saw during a replication test, and the checks on the final read
 * (reliability plan I1, I2, I3, I6):
 * - I1: every acknowledged acks=all write is read back at its acknowledged offset, same value;
 * - I2: offsets read are dense from 0 to the high watermark, so no acknowledged write is skipped;
 * - I3: one value per (partition, offset) across every acknowledgement and every read;
 * - I6: a value a consumer saw earlier is still there, at the same offset; a value whose
 *   write definitely failed is never read.
 */
export class History {
  readonly #acked = new Map<number, Map<number, string>>();
  readonly #seen = new Map<number, Map<number, string>>();
  readonly #attempted = new Set<string>();
  readonly #definitelyFailed = new Set<string>();
  readonly #problems: string[] = [];
  #ackCount = 0;

  /** Values are unique across the whole test: a writer calls this before sending them. */
  attempt(values: readonly string[]): void {
    for (const value of values) this.#attempted.add(value);
  }

  /** An acks=all acknowledgement of `values`, written in order from `baseOffset`. */
  ack(partition: number, baseOffset: number, values: readonly string[]): void {
    values.forEach((value, i) => this.#record(this.#acked, 'acknowledged', partition, baseOffset + i, value));
    this.#ackCount += values.length;
  }

  /** A record a consumer read while the test ran. */
  see(partition: number, offset: number, value: string): void {
    this.#record(this.#seen, 'read', partition, offset, value);
  }

  /** A write refused with an error that means it was not appended (NOT_ENOUGH_REPLICAS…). */
  definitelyFailed(values: readonly string[]): void {
    for (const value of values) this.#definitelyFailed.add(value);
  }

  get ackCount(): number {
    return this.#ackCount;
  }

  ackedIn(partition: number): number {
    return this.#acked.get(partition)?.size ?? 0;
  }

  seenCount(): number {
    let count = 0;
    for (const offsets of this.#seen.values()) count += offsets.size;
    return count;
  }

  /** Everything wrong with the final read of each partition; empty when all holds. */
  check(finalReads: ReadonlyMap<number, PartitionRead>): string[] {
    const problems = [...this.#problems];
    for (const [partition, read] of finalReads) {
      const byOffset = new Map<number, string>();
      read.records.forEach((record, i) => {
        if (record.offset !== i && problems.length < 1000) problems.push(`p${partition}: offset ${record.offset} read at position ${i} (a hole or a repeat, I2)`);
        byOffset.set(record.offset, record.value);
        if (!this.#attempted.has(record.value)) problems.push(`p${partition}@${record.offset}: ${JSON.stringify(record.value)} was never written`);
        if (this.#definitelyFailed.has(record.value)) problems.push(`p${partition}@${record.offset}: ${record.value} was refused, yet it is in the log (I6)`);
      });
      if (read.records.length !== read.highWatermark) {
        problems.push(`p${partition}: read ${read.records.length} records below the high watermark ${read.highWatermark} (I2)`);
      }
      for (const [offset, value] of this.#acked.get(partition) ?? []) {
        const found = byOffset.get(offset);
        if (found !== value) problems.push(`p${partition}@${offset}: acknowledged ${value}, read ${found ?? 'nothing'} (I1)`);
      }
      for (const [offset, value] of this.#seen.get(partition) ?? []) {
        const found = byOffset.get(offset);
        if (found !== value) problems.push(`p${partition}@${offset}: a consumer saw ${value}, the final read has ${found ?? 'nothing'} (I6)`);
      }
    }
    return problems;
  }

  /** Values read more than once in a partition: retries without idempotence may do this. */
  static duplicates(read: PartitionRead): number {
    const values = new Set(read.records.map((r) => r.value));
    return read.records.length - values.size;
  }

  #record(into: Map<number, Map<number, string>>, what: string, partition: number, offset: number, value: string): void {
    let offsets = into.get(partition);
    if (offsets === undefined) {
      offsets = new Map();
      into.set(partition, offsets);
    }
    const earlier = offsets.get(offset) ?? this.#acked.get(partition)?.get(offset) ?? this.#seen.get(partition)?.get(offset);
    if (earlier !== undefined && earlier !== value) {
      this.#problems.push(`p${partition}@${offset}: ${what} ${value}, but ${earlier} was there before (I3)`);
    }
    offsets.set(offset, value);
  }
}
