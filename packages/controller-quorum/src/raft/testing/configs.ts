/**
 * Simulation settings shared by the simulation test files. A tick stands for 50 ms, so the
 * timings are Kafka's defaults scaled down by two (election 500 ms, fetch 1000 ms) to fit
 * more elections into each seed; network delays run from 5 ms to 150 ms.
 */
import type { WorldConfig } from './raft-world.js';

const raft: WorldConfig['raft'] = {
  electionTimeoutTicks: 10,
  fetchTimeoutTicks: 20,
  electionBackoffMaxTicks: 10,
  requestTimeoutTicks: 10,
  fetchBackoffTicks: 2,
  // Below a third of the request timeout: even with the faulty network's longest delays
  // (3 ticks each way), most held fetches are answered before their sender resends.
  fetchMaxWaitTicks: 3,
  maxFetchEntries: 8,
  maxFetchBytes: 64,
  snapshotChunkBytes: 16,
};

const base: Omit<WorldConfig, 'voters' | 'observers'> = {
  tickUnits: 10,
  raft,
  safetyTicks: 300,
  livenessTicksMax: 300,
  calmNetwork: {
    dropProbability: 0,
    duplicateProbability: 0,
    delayMin: 1,
    delayMax: 10,
    heldMessagesMax: 10_000,
  },
  proposalProbability: 0.3,
  snapshotProbability: 0.02,
  crashBeforePersistProbability: 0.002,
  trace: false,
};

export const threeVoters: WorldConfig = { ...base, voters: [1, 2, 3], observers: [4] };
export const fiveVoters: WorldConfig = { ...base, voters: [1, 2, 3, 4, 5], observers: [6] };

/** Network and nemesis probabilities (the testkit option shapes). */
export const faultyNetwork = {
  dropProbability: 0.05,
  duplicateProbability: 0.03,
  delayMin: 1,
  delayMax: 30,
  heldMessagesMax: 10_000,
};

export const nemesisOptions = {
  partitionProbability: 0.02,
  oneWayProbability: 0.3,
  healProbability: 0.05,
  swizzleProbability: 0.005,
  swizzleStepMax: 40,
  crashProbability: 0.01,
  restartProbability: 0.05,
  downMax: 1,
};
