/** What the simulated parts (controller, nodes, clients) share: time, the network, the seed, a trace. */
import type { Random } from '@rill/base';
import type { WorldConfig } from './sim-config.js';
import type { SimMessage } from './sim-messages.js';

export interface SimContext {
  readonly config: WorldConfig;
  readonly random: Random;
  now(): number;
  send(from: number, to: number, message: SimMessage): void;
  /** A line for the failure report; built only when tracing (a replay of a failing seed). */
  trace(line: () => string): void;
  readonly coverage: Coverage;
}

/** How often the paths that matter ran: a suite asserts the faults reached them. */
export interface Coverage {
  elections: number;
  fencings: number;
  reregistrations: number;
  crashes: number;
  tornTails: number;
  pauses: number;
  isrShrinks: number;
  isrExpands: number;
  alterRefusals: number;
  alterFailures: number;
  truncations: number;
  multiRoundTruncations: number;
  leaseRefusals: number;
  notEnoughReplicas: number;
  acked: number;
  lostToTornTails: number;
  tornExposures: number;
}

export function emptyCoverage(): Coverage {
  return {
    elections: 0,
    fencings: 0,
    reregistrations: 0,
    crashes: 0,
    tornTails: 0,
    pauses: 0,
    isrShrinks: 0,
    isrExpands: 0,
    alterRefusals: 0,
    alterFailures: 0,
    truncations: 0,
    multiRoundTruncations: 0,
    leaseRefusals: 0,
    notEnoughReplicas: 0,
    acked: 0,
    lostToTornTails: 0,
    tornExposures: 0,
  };
}
