/**
 * Branded numbers for ids that must never be mixed up. They cost nothing at run time; the
 * constructors are the only place a plain number becomes one.
 */
declare const brand: unique symbol;
export type Branded<T, B extends string> = T & { readonly [brand]: B };

export type NodeId = Branded<number, 'NodeId'>;
export type Offset = Branded<number, 'Offset'>;
export type LeaderEpoch = Branded<number, 'LeaderEpoch'>;
export type Term = Branded<number, 'Term'>;
export type PartitionIndex = Branded<number, 'PartitionIndex'>;

export const nodeId = (n: number): NodeId => n as NodeId;
export const offset = (n: number): Offset => n as Offset;
export const leaderEpoch = (n: number): LeaderEpoch => n as LeaderEpoch;
export const term = (n: number): Term => n as Term;
export const partitionIndex = (n: number): PartitionIndex => n as PartitionIndex;
