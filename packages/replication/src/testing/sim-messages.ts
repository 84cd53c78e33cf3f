/**
 * What simulated nodes, the controller model and clients send each other over the
 * SimNetwork: the shapes of the gRPC and Kafka requests a broker driver exchanges, reduced
 * to the fields the replication core needs.
 */
import type { EpochEndOffset, IsrOutcome, IsrProposal } from '../index.js';

/** One record batch as the simulated log stores it: its leader epoch and a unique payload id. */
export interface SimRecord {
  readonly epoch: number;
  readonly payload: number;
}

export interface PartitionState {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly isr: readonly number[];
  readonly replicas: readonly number[];
}

export type SimMessage =
  // broker <-> controller
  | { readonly kind: 'heartbeat'; readonly incarnation: number; readonly sentAtMs: number }
  | { readonly kind: 'heartbeatAnswer'; readonly incarnation: number; readonly sentAtMs: number; readonly fenced: boolean }
  | { readonly kind: 'alterPartition'; readonly incarnation: number; readonly requestId: number; readonly proposal: IsrProposal }
  | { readonly kind: 'alterPartitionAnswer'; readonly incarnation: number; readonly requestId: number; readonly outcome: IsrOutcome }
  | {
      readonly kind: 'metadata';
      readonly version: number;
      readonly partition: PartitionState;
      /** The registered incarnation of each broker: a node acts only on metadata for its own. */
      readonly incarnations: ReadonlyMap<number, number>;
    }
  // follower <-> leader
  | {
      readonly kind: 'fetch';
      readonly requestId: number;
      readonly leaderEpoch: number;
      readonly fetchOffset: number;
      /** The follower's broker epoch: its registration incarnation (KIP-903). */
      readonly brokerEpoch: number;
    }
  | {
      readonly kind: 'fetchAnswer';
      readonly requestId: number;
      readonly errorCode: number;
      readonly baseOffset: number;
      readonly records: readonly SimRecord[];
      readonly highWatermark: number;
    }
  | { readonly kind: 'epochQuery'; readonly requestId: number; readonly leaderEpoch: number; readonly epoch: number }
  | { readonly kind: 'epochAnswer'; readonly requestId: number; readonly errorCode: number; readonly answer: EpochEndOffset }
  // client <-> broker
  | { readonly kind: 'produce'; readonly requestId: number; readonly acksAll: boolean; readonly payload: number }
  | { readonly kind: 'produceAnswer'; readonly requestId: number; readonly errorCode: number; readonly offset: number };
