export { PriorityQueue, type Scheduled } from './priority-queue.js';
export { SimClock, type SimEvent } from './sim-clock.js';
export {
  SimNetwork,
  reliableNetwork,
  type SimNetworkOptions,
  type SimNetworkStats,
} from './sim-network.js';
export { SimNodes } from './sim-nodes.js';
export {
  Nemesis,
  calmNemesis,
  type NemesisNetwork,
  type NemesisOptions,
  type NemesisTarget,
} from './nemesis.js';
export { InvariantChecker, InvariantViolation, type Invariant } from './invariants.js';
export { runSeed, seedsFromEnv, type SeedPlan } from './seeds.js';
export { Scenario } from './scenario.js';
