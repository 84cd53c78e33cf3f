/** One partition as a broker's Metadata answer describes it; replicas and ISR sorted. */
export interface PartitionState {
  readonly partition: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** A Metadata answer's partitions of one topic, sorted by partition, so views compare as text. */
export function partitionStates(
  partitions: readonly {
    readonly partitionIndex: number;
    readonly leaderId: number;
    readonly replicaNodes: readonly number[];
    readonly isrNodes: readonly number[];
  }[],
): PartitionState[] {
  return partitions
    .map((p) => ({
      partition: p.partitionIndex,
      leader: p.leaderId,
      replicas: [...p.replicaNodes].sort((a, b) => a - b),
      isr: [...p.isrNodes].sort((a, b) => a - b),
    }))
    .sort((a, b) => a.partition - b.partition);
}
