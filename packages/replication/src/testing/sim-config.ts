/**
 * Settings of the replication simulation. Time is in simulated milliseconds: the timeouts
 * are Kafka's defaults scaled down about 40× (session 9 s → 240 ms, replica lag 30 s →
 * 200 ms) so that each seed sees several fencings, elections and ISR changes; network delays
 * run from 1 to 20 ms.
 */
import type { Random } from '@rill/base';
import type { NemesisOptions, SimNetworkOptions } from '@rill/testkit';

export interface WorldConfig {
  /** Replica node ids (the partition has every node as a replica). */
  readonly nodes: readonly number[];
  readonly minInsyncReplicas: number;
  readonly tickMs: number;
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly replicaLagTimeMaxMs: number;
  readonly retryBackoffMs: number;
  /** A follower re-sends a fetch or OffsetForLeaderEpoch unanswered for this long. */
  readonly fetchTimeoutMs: number;
  /** After an empty fetch answer, the follower waits this long (a long poll, roughly). */
  readonly fetchIdleMs: number;
  readonly fetchBatchesMax: number;
  readonly alterPartitionTimeoutMs: number;
  readonly produceTimeoutMs: number;
  /** Waiting acks=all produce requests per leader (the purgatory bound). */
  readonly waitersMax: number;
  readonly flushIntervalMs: number;
  readonly metadataRepublishMs: number;
  readonly clients: readonly number[];
  readonly clientInFlightMax: number;
  readonly produceProbability: number;
  readonly acksAllProbability: number;
  /** Faults run for this long; then everything heals. */
  readonly safetyMs: number;
  /** After healing, the ISR must be whole and an acks=all write acknowledged within this. */
  readonly livenessMsMax: number;
  /** Of the crashes: how many tear the log's unflushed tail. */
  readonly tornTailProbability: number;
  /** Per tick: the controller moves the leadership to another ISR member. */
  readonly leaderMoveProbability: number;
  /** Per tick: pause a node (SIGSTOP) for longer than the session timeout. */
  readonly pauseProbability: number;
  readonly pauseMsMin: number;
  readonly pauseMsMax: number;
  readonly network: SimNetworkOptions;
  readonly calmNetwork: SimNetworkOptions;
  readonly nemesis: NemesisOptions;
  /** Keep a trace of the last events for a failure report (used to replay one seed). */
  readonly trace: boolean;
}

export const controllerId = 0;

/** Loss, duplication and reordering (delays overlap) on every link during the safety phase. */
export const baseNetwork: SimNetworkOptions = {
  dropProbability: 0.05,
  duplicateProbability: 0.03,
  delayMin: 1,
  delayMax: 20,
  heldMessagesMax: 10_000,
};

const base: Omit<WorldConfig, 'nodes' | 'minInsyncReplicas' | 'nemesis'> = {
  tickMs: 10,
  heartbeatIntervalMs: 40,
  sessionTimeoutMs: 240,
  replicaLagTimeMaxMs: 200,
  retryBackoffMs: 50,
  fetchTimeoutMs: 60,
  fetchIdleMs: 20,
  fetchBatchesMax: 8,
  alterPartitionTimeoutMs: 100,
  produceTimeoutMs: 400,
  waitersMax: 64,
  flushIntervalMs: 60,
  metadataRepublishMs: 100,
  clients: [101, 102],
  clientInFlightMax: 3,
  produceProbability: 0.3,
  acksAllProbability: 0.8,
  safetyMs: 4_000,
  livenessMsMax: 3_000,
  tornTailProbability: 0.3,
  leaderMoveProbability: 0.008,
  pauseProbability: 0.004,
  pauseMsMin: 260,
  pauseMsMax: 600,
  network: baseNetwork,
  calmNetwork: {
    dropProbability: 0,
    duplicateProbability: 0,
    delayMin: 1,
    delayMax: 5,
    heldMessagesMax: 10_000,
  },
  trace: false,
};

const nemesis: NemesisOptions = {
  partitionProbability: 0.01,
  oneWayProbability: 0.3,
  healProbability: 0.03,
  swizzleProbability: 0.004,
  swizzleStepMax: 40,
  crashProbability: 0.006,
  restartProbability: 0.02,
  downMax: 1,
};

/**
 * The cluster one seed runs: 3 replicas most of the time (min.insync.replicas 2, sometimes
 * 1), sometimes 4 or 5 (min.insync.replicas 2 or 3, up to two nodes down at once).
 */
export function configForSeed(random: Random, trace: boolean): WorldConfig {
  const draw = random.next();
  const size = draw < 0.7 ? 3 : draw < 0.85 ? 4 : 5;
  const nodes = Array.from({ length: size }, (_, i) => i + 1);
  const minInsyncReplicas =
    size === 3 ? (random.next() < 0.8 ? 2 : 1) : random.next() < 0.5 ? 2 : 3;
  const downMax = size === 5 ? 2 : 1;
  // One seed in four is stormy: the leadership moves often, for back-to-back failovers.
  const leaderMoveProbability = random.next() < 0.25 ? 0.04 : base.leaderMoveProbability;
  return { ...base, nodes, minInsyncReplicas, leaderMoveProbability, nemesis: { ...nemesis, downMax }, trace };
}
