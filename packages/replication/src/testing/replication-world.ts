/**
 * The seeded world of the replication simulation: 3–5 brokers (each a SimReplica over its
 * SimDisk), the controller model, producers, a lossy network, and the faults. testkit
 * provides the clock, the network, node lifecycles and the network/crash nemeses; this file
 * adds what is particular to replication: torn tails on crash, and pauses longer than the
 * session timeout (a zombie leader).
 *
 * A run has two phases. Safety: faults for `safetyMs`, the invariants checked after every
 * event. Liveness: every fault heals (network, crashed and paused nodes) and the network
 * calms; within `livenessMsMax` the ISR must be whole again, every replica must hold every
 * committed record, and an acks=all write must be acknowledged.
 */
import type { NemesisTarget } from '@rill/testkit';
import { Nemesis, Scenario, SimNodes } from '@rill/testkit';
import type { WorldConfig } from './sim-config.js';
import { baseNetwork, configForSeed, controllerId } from './sim-config.js';
import type { Coverage, SimContext } from './sim-context.js';
import { emptyCoverage } from './sim-context.js';
import { ReplicationState } from './sim-checker.js';
import { SimClient } from './sim-client.js';
import { SimController } from './sim-controller.js';
import { SimDisk } from './sim-disk.js';
import type { SimMessage } from './sim-messages.js';
import { SimReplica } from './sim-replica.js';

const traceMax = 200;

export class ReplicationWorld implements SimContext, NemesisTarget {
  readonly scenario: Scenario<SimMessage>;
  readonly config: WorldConfig;
  readonly coverage: Coverage = emptyCoverage();
  readonly disks = new Map<number, SimDisk>();
  readonly controller: SimController;
  readonly state: ReplicationState;
  readonly clients: SimClient[];
  readonly nodes: SimNodes<SimReplica>;
  readonly faults: string[] = [];
  readonly traceLines: string[] = [];
  phase: 'safety' | 'liveness' = 'safety';
  #payloads = 0;

  constructor(readonly seed: number, trace: boolean) {
    this.scenario = new Scenario<SimMessage>(seed, baseNetwork, (from, to, message) =>
      this.#deliver(from, to, message),
    );
    this.config = configForSeed(this.scenario.random, trace);
    this.scenario.network.configure(this.config.network);
    for (const id of this.config.nodes) this.disks.set(id, new SimDisk());
    this.controller = new SimController(this);
    this.state = new ReplicationState(
      this.disks,
      () => this.controller.state,
      () => this.#currentLeaderMaximalIsr(),
      this.config.minInsyncReplicas,
      this.coverage,
    );
    this.clients = this.config.clients.map(
      (id) => new SimClient(id, this, this.state, () => ++this.#payloads),
    );
    this.nodes = new SimNodes(this.config.nodes, (id, incarnation) => this.#start(id, incarnation));
  }

  get random(): Scenario<SimMessage>['random'] {
    return this.scenario.random;
  }

  get ids(): readonly number[] {
    return this.config.nodes;
  }

  now(): number {
    return this.scenario.clock.now;
  }

  send(from: number, to: number, message: SimMessage): void {
    this.scenario.network.send(from, to, message);
  }

  trace(line: string | (() => string)): void {
    if (!this.config.trace) return;
    this.traceLines.push(`t=${this.now()} ${typeof line === 'string' ? line : line()}`);
    if (this.traceLines.length > traceMax) this.traceLines.shift();
  }

  // ---- NemesisTarget (crashes) ----

  isUp(id: number): boolean {
    return this.nodes.isUp(id);
  }

  crash(id: number): void {
    this.coverage.crashes++;
    const disk = this.disks.get(id)!;
    const oldEnd = disk.logEndOffset;
    const torn = this.random.next() < this.config.tornTailProbability ? disk.tear(this.random) : null;
    if (torn !== null) {
      this.coverage.tornTails++;
      this.state.tornTail(id, torn.cut, torn.lost);
    }
    this.#fault(`crash ${id}${torn === null ? '' : ` tearing its log ${oldEnd} -> ${torn.cut}`}`);
    this.nodes.crash(id);
  }

  restart(id: number): void {
    this.#fault(`restart ${id}`);
    this.nodes.restart(id);
  }

  // ---- the run ----

  run(checkInvariants: () => void, finalCheck: () => string | null): { livenessMs: number } {
    const { config, scenario } = this;
    const everyone = [controllerId, ...config.nodes, ...config.clients];
    const network = new Nemesis(scenario.clock, this.random, scenario.network, networkTarget(everyone), {
      ...config.nemesis,
      crashProbability: 0,
      downMax: 0,
    });
    const crashes = new Nemesis(scenario.clock, this.random, scenario.network, this, {
      ...config.nemesis,
      partitionProbability: 0,
      healProbability: 0,
      swizzleProbability: 0,
    });
    scenario.every(0, 0, () => {
      this.controller.publish();
      return false;
    });
    scenario.every(config.tickMs, 1, () => {
      this.controller.tick();
      for (const client of this.clients) client.tick();
      if (this.phase === 'safety') {
        network.step();
        crashes.step();
        this.#maybePause();
        if (this.random.next() < config.leaderMoveProbability) this.controller.moveLeader();
      }
    });
    scenario.run(config.safetyMs, checkInvariants);
    this.#heal(network, crashes);
    const start = this.now();
    if (!scenario.run(start + config.livenessMsMax, checkInvariants, () => this.#healed())) {
      throw new Error(`liveness: not healed within ${config.livenessMsMax} ms\n${this.describe()}`);
    }
    const problem = finalCheck();
    if (problem !== null) throw new Error(`after healing: ${problem}`);
    return { livenessMs: this.now() - start };
  }

  describe(): string {
    const { leader, leaderEpoch, partitionEpoch, isr } = this.controller.state;
    const lines = [
      `controller: leader=${leader} e${leaderEpoch} p${partitionEpoch} isr=${isr} live=${this.ids.filter((id) => this.controller.isLive(id))}`,
      `committed: ${this.state.committedEnd} records, acks: ${this.state.acks.length}, lost to torn tails: ${this.state.lostPayloads.size}`,
    ];
    for (const id of this.ids) {
      const node = this.nodes.get(id);
      const match = this.state.match(id);
      lines.push(`  ${node === undefined ? `${id} down log=${this.disks.get(id)!.logEndOffset}` : node.describe()} match=${match}`);
    }
    return lines.join('\n');
  }

  report(): string {
    return [
      `config: nodes=${this.ids} min.insync.replicas=${this.config.minInsyncReplicas}`,
      `events run: ${this.scenario.clock.eventsRun}, t=${this.now()}`,
      this.describe(),
      'faults:',
      ...this.faults.slice(-30),
      'last events:',
      ...this.traceLines,
    ].join('\n');
  }

  #currentLeaderMaximalIsr(): readonly number[] | null {
    const { leader, leaderEpoch } = this.controller.state;
    const role = leader < 0 ? undefined : this.nodes.get(leader)?.role;
    if (role?.kind !== 'leader' || role.core.leaderEpoch !== leaderEpoch) return null;
    return role.core.maximalIsr;
  }

  #start(id: number, incarnation: number): SimReplica {
    const node = new SimReplica(id, incarnation, this.disks.get(id)!, this, this.state);
    this.trace(() => `start ${node.describe()}`);
    this.scenario.every(this.config.tickMs, this.random.between(1, this.config.tickMs), () => {
      if (!this.nodes.isUp(id) || this.nodes.incarnation(id) !== incarnation) return false;
      if (!node.paused) node.tick();
      return true;
    });
    return node;
  }

  #deliver(from: number, to: number, message: SimMessage): void {
    if (to === controllerId) return this.controller.receive(from, message);
    const client = this.clients.find((c) => c.id === to);
    if (client !== undefined) return client.receive(message);
    const node = this.nodes.get(to);
    if (node === undefined) return;
    if (node.paused) node.inbox.push([from, message]);
    else node.receive(from, message);
  }

  /** SIGSTOP a node (the leader half the time) for longer than the session timeout. */
  #maybePause(): void {
    const config = this.config;
    if (this.random.next() >= config.pauseProbability) return;
    const up = this.ids.filter((id) => this.nodes.get(id)?.paused === false);
    const leader = this.controller.state.leader;
    const id = up.includes(leader) && this.random.next() < 0.5 ? leader : up[this.random.between(0, up.length - 1)];
    if (id === undefined || this.ids.some((other) => this.nodes.get(other)?.paused === true)) return;
    const node = this.nodes.get(id)!;
    node.paused = true;
    this.coverage.pauses++;
    const pauseMs = this.random.between(config.pauseMsMin, config.pauseMsMax);
    this.#fault(`pause ${id} for ${pauseMs} ms`);
    this.scenario.clock.schedule(pauseMs, this.nodes.guard(id, (paused) => this.#resume(paused)));
  }

  #resume(node: SimReplica): void {
    if (!node.paused) return;
    node.paused = false;
    this.#fault(`resume ${node.id}`);
    const inbox = node.inbox.splice(0);
    for (const [from, message] of inbox) node.receive(from, message);
  }

  #heal(network: Nemesis, crashes: Nemesis): void {
    this.phase = 'liveness';
    network.healAll();
    crashes.healAll();
    for (const id of this.ids) {
      const node = this.nodes.get(id);
      if (node !== undefined) this.#resume(node);
    }
    this.scenario.network.configure(this.config.calmNetwork);
    for (const client of this.clients) client.livenessFromMs = this.now();
    this.#fault('heal everything');
  }

  #healed(): boolean {
    const { leader, isr } = this.controller.state;
    if (leader < 0 || isr.length !== this.ids.length) return false;
    if (!this.clients.some((client) => client.livenessAcked)) return false;
    const end = this.state.committedEnd;
    return this.ids.every((id) => this.state.match(id) >= end);
  }

  #fault(line: string): void {
    this.faults.push(`t=${this.now()} ${line}`);
    this.trace(line);
  }
}

function networkTarget(ids: readonly number[]): NemesisTarget {
  return {
    ids,
    isUp: () => true,
    crash: () => {
      throw new Error('the network nemesis never crashes nodes');
    },
    restart: () => {},
  };
}
