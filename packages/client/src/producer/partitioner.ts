import { murmur2, toPositive } from './murmur2.js';

export interface PartitionerInput {
  readonly topic: string;
  /** The key's bytes, or null for a record without a key. */
  readonly key: Buffer | null;
  readonly partitionCount: number;
  /** Partitions that have a leader now; keyless records prefer these. */
  readonly availablePartitions: readonly number[];
  /** Encoded size of the record, for stickiness by bytes. */
  readonly recordBytes: number;
}

/** Chooses a partition for a record the caller did not place explicitly. */
export type Partitioner = (input: PartitionerInput) => number;

/** Where the Java client puts a keyed record: toPositive(murmur2(key)) % partitions. */
export function keyedPartition(key: Uint8Array, partitionCount: number): number {
  return toPositive(murmur2(key)) % partitionCount;
}

/**
 * The Java client's default (KIP-794): keyed records go where murmur2 puts them, so keys
 * land on the same partitions whichever client wrote them; keyless records stick to one
 * available partition until `stickyBytes` were sent there, then move to another at random,
 * which fills batches instead of spraying one record per partition.
 */
export function defaultPartitioner(options: {
  stickyBytes: number;
  random?: () => number;
}): Partitioner {
  const random = options.random ?? Math.random;
  const sticky = new Map<string, { partition: number; bytes: number; count: number }>();
  return (input) => {
    if (input.key !== null) return keyedPartition(input.key, input.partitionCount);
    let state = sticky.get(input.topic);
    if (
      state === undefined ||
      state.bytes >= options.stickyBytes ||
      state.count !== input.partitionCount
    ) {
      const choices = input.availablePartitions.length > 0 ? input.availablePartitions : null;
      const partition =
        choices === null
          ? Math.floor(random() * input.partitionCount)
          : choices[Math.floor(random() * choices.length)]!;
      state = { partition, bytes: 0, count: input.partitionCount };
      sticky.set(input.topic, state);
    }
    state.bytes += input.recordBytes;
    return state.partition;
  };
}
