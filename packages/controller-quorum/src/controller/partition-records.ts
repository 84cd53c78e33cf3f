import type { PartitionRegistration } from '../metadata/image.js';
import type { PartitionChangeRecord, PartitionRecord } from '../metadata/records.js';

/** A new partition: every replica in the ISR (none has data yet), the first one leading. */
export function newPartitionRecord(
  topicId: string,
  partition: number,
  replicas: readonly number[],
): PartitionRecord {
  return {
    type: 'partition',
    topicId,
    partition,
    replicas,
    isr: replicas,
    leader: replicas[0],
    leaderEpoch: 0,
    partitionEpoch: 0,
  };
}

export interface PartitionTarget {
  readonly leader: number;
  readonly isr: readonly number[];
}

/**
 * The record that moves a partition from `current` to `target`, or null when nothing
 * changes. The leader field is set only for a new leader: replay bumps the leader epoch for
 * it, and an epoch bump without a new leader would needlessly fence the current one.
 */
export function partitionChange(
  topicId: string,
  partition: number,
  current: PartitionRegistration,
  target: PartitionTarget,
): PartitionChangeRecord | null {
  const leader = target.leader === current.leader ? null : target.leader;
  const isr = sameMembers(target.isr, current.isr) ? null : target.isr;
  if (leader === null && isr === null) return null;
  return { type: 'partitionChange', topicId, partition, leader, isr, replicas: null };
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}
