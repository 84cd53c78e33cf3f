/**
 * Many RaftCores in one process, each behind a simulated driver that keeps the effects
 * contract: persist (atomically, to a SimStore) before sending, then apply. A crash may
 * strike between a step and its persistence, losing that step's writes and messages; a
 * restart rebuilds the node from its store alone. The world records what the invariants in
 * raft-invariants.ts need.
 *
 * The simulator itself (clock, network, node lifecycle, nemesis) comes from @rill/testkit;
 * the test files pass it in, typed by the small interfaces below, so this file builds
 * without that dev-only package.
 */
import { assert } from '@rill/base';
import type { Random } from '@rill/base';
import { RaftCore } from '../core.js';
import type { RaftMessage } from '../messages.js';
import type { Entry, RaftEvent, RaftOptions } from '../types.js';
import { FakeStateMachine } from './fake-state-machine.js';
import { SimStore } from './sim-store.js';

export interface NetworkOptions {
  readonly dropProbability: number;
  readonly duplicateProbability: number;
  readonly delayMin: number;
  readonly delayMax: number;
  readonly heldMessagesMax: number;
}

export interface SimScenario {
  readonly seed: number;
  readonly random: Random;
  readonly clock: { readonly now: number; readonly eventsRun: number };
  readonly network: {
    send(from: number, to: number, message: RaftMessage): void;
    configure(options: NetworkOptions): void;
  };
  every(period: number, phase: number, event: () => boolean | void): void;
  run(until: number, afterEvent: () => void, done?: () => boolean): boolean;
}

export interface SimNodesLike<N> {
  get(id: number): N | undefined;
  isUp(id: number): boolean;
  crash(id: number): void;
  restart(id: number): N;
  incarnation(id: number): number;
  guard(id: number, callback: (node: N) => void): () => void;
}

export interface NemesisLike {
  step(): void;
  healAll(): void;
  readonly history: readonly string[];
}

export interface WorldConfig {
  readonly voters: readonly number[];
  readonly observers: readonly number[];
  /** Clock units per tick; network delays are in clock units too. */
  readonly tickUnits: number;
  readonly raft: Omit<RaftOptions, 'nodeId' | 'voters' | 'random'>;
  readonly safetyTicks: number;
  /** The liveness bound: after healing, a proposal must commit everywhere within this. */
  readonly livenessTicksMax: number;
  readonly calmNetwork: NetworkOptions;
  readonly proposalProbability: number;
  readonly snapshotProbability: number;
  /** Per drain that has something to persist: crash before it reaches the disk. */
  readonly crashBeforePersistProbability: number;
  /** Keep a trace of the last events for failure reports (slow: used to replay one seed). */
  readonly trace: boolean;
}

export interface SimRaftNode {
  readonly id: number;
  readonly incarnation: number;
  readonly core: RaftCore;
  readonly machine: FakeStateMachine;
  /** What the invariants saw last, within this incarnation. */
  seenEpoch: number;
  seenHighWatermark: number;
  seenRole: string;
}

const traceMax = 60;
const livenessMarker = Buffer.from('liveness');

export class RaftWorld {
  readonly ids: readonly number[];
  readonly stores = new Map<number, SimStore>();
  /** The first entry applied anywhere at each offset: all others must equal it. */
  readonly committed = new Map<number, Entry>();
  /** State-machine digest after applying everything below each offset. */
  readonly digests = new Map<number, number>();
  readonly leaders = new Map<number, number>();
  /** Problems found while applying; the invariants report the first. */
  readonly violations: string[] = [];
  readonly trace: string[] = [];
  nodes!: SimNodesLike<SimRaftNode>;
  phase: 'safety' | 'liveness' = 'safety';
  proposals = 0;
  /** How often the interesting paths ran, so a test can show the faults reached them. */
  readonly coverage = {
    elections: 0,
    checkQuorumResignations: 0,
    truncations: 0,
    snapshotsInstalled: 0,
    refusals: 0,
    crashes: 0,
    /** Held fetches the leader answered empty on a tick: their max wait ran out. */
    heldFetchesExpired: 0,
    /** Held fetches the leader answered with entries the moment a proposal appended them. */
    heldFetchesAnsweredOnAppend: 0,
  };
  #proposalSequence = 0;
  #markerProposedAt: { epoch: number; leaderId: number } | null = null;
  /** Where the liveness marker committed, once it has. */
  #markerOffset: number | null = null;

  constructor(
    readonly config: WorldConfig,
    readonly scenario: SimScenario,
  ) {
    this.ids = [...config.voters, ...config.observers];
    for (const id of this.ids) this.stores.set(id, new SimStore());
  }

  /** The SimNodes `start` callback: build a node from its store and start its ticks. */
  startNode(id: number, incarnation: number): SimRaftNode {
    const store = this.stores.get(id)!;
    const options: RaftOptions = {
      ...this.config.raft,
      nodeId: id,
      voters: this.config.voters,
      random: this.scenario.random,
    };
    const core = RaftCore.create(options, store.stored());
    const node: SimRaftNode = {
      id,
      incarnation,
      core,
      machine: new FakeStateMachine(),
      seenEpoch: core.epoch,
      seenHighWatermark: core.highWatermark,
      seenRole: core.role,
    };
    const phase = this.scenario.random.between(1, this.config.tickUnits);
    this.scenario.every(this.config.tickUnits, phase, () => {
      if (!this.nodes.isUp(id) || this.nodes.incarnation(id) !== incarnation) return false;
      node.core.tick();
      this.afterStep(node, 'tick');
      return true;
    });
    return node;
  }

  /** Attach the node lifecycle (built with `startNode`); starts the client. */
  attach(nodes: SimNodesLike<SimRaftNode>): void {
    this.nodes = nodes;
    this.scenario.every(this.config.tickUnits, 0, () => this.#client());
  }

  deliver(from: number, to: number, message: RaftMessage): void {
    const node = this.nodes.get(to);
    if (node === undefined) return;
    node.core.receive(message);
    this.afterStep(node, `${message.kind} from ${from}`);
  }

  /** NemesisTarget: crash and restart by id. */
  isUp(id: number): boolean {
    return this.nodes.isUp(id);
  }
  crash(id: number): void {
    this.coverage.crashes++;
    this.#trace(`crash ${id}`);
    this.nodes.crash(id);
  }
  restart(id: number): void {
    this.#trace(`restart ${id} from epoch ${this.stores.get(id)!.epoch}`);
    const node = this.nodes.restart(id);
    this.afterStep(node, 'restart');
  }

  /** Play the driver for one step: drain, maybe crash, persist, send, apply. */
  afterStep(node: SimRaftNode, what: string): void {
    for (let round = 0; round < 2; round++) {
      const effects = node.core.drain();
      const writes =
        effects.hardState !== null ||
        effects.entriesToPersist.length > 0 ||
        effects.snapshotToPersist !== null ||
        effects.truncateFrom !== null;
      for (const event of effects.events) this.#count(event);
      this.#countHeldFetchAnswers(effects.messages, what);
      if (this.config.trace)
        for (const event of effects.events)
          this.#trace(`${node.id} ${event.kind}: ${event.reason} [${event.role} e${event.epoch}]`);
      if (
        writes &&
        this.phase === 'safety' &&
        this.scenario.random.next() < this.config.crashBeforePersistProbability
      ) {
        this.crash(node.id);
        return;
      }
      this.stores.get(node.id)!.persist(effects);
      for (const message of effects.messages)
        this.scenario.network.send(message.from, message.to, message);
      if (effects.snapshotToApply !== null) this.#loadSnapshot(node, effects.snapshotToApply);
      for (const entry of effects.committed) this.#apply(node, entry);
      if (round > 0 || !this.#maybeSnapshot(node)) break;
    }
    if (this.config.trace) this.#trace(`${node.id} ${what}: ${describe(node.core)}`);
  }

  #count(event: RaftEvent): void {
    const coverage = this.coverage;
    if (event.kind === 'truncated') coverage.truncations++;
    else if (event.kind === 'snapshot') coverage.snapshotsInstalled++;
    else if (event.kind === 'refused') coverage.refusals++;
    else if (event.kind === 'role' && event.role === 'leader') coverage.elections++;
    else if (event.kind === 'role' && event.reason.startsWith('check-quorum'))
      coverage.checkQuorumResignations++;
  }

  /**
   * A fetch is only ever answered on a tick when it was held to its max wait, and only ever
   * answered during a proposal when it was held until new entries came.
   */
  #countHeldFetchAnswers(messages: readonly RaftMessage[], what: string): void {
    for (const message of messages) {
      if (message.kind !== 'FetchResponse' || message.error !== 'NONE') continue;
      if (what === 'tick' && message.entries.length === 0) this.coverage.heldFetchesExpired++;
      if (what.startsWith('propose') && message.entries.length > 0)
        this.coverage.heldFetchesAnsweredOnAppend++;
    }
  }

  #loadSnapshot(
    node: SimRaftNode,
    snapshot: { lastOffset: number; lastEpoch: number; data: Buffer },
  ): void {
    node.machine.load(snapshot);
    this.#checkDigest(node);
  }

  #apply(node: SimRaftNode, entry: Entry): void {
    const first = this.committed.get(entry.offset);
    if (first === undefined) this.committed.set(entry.offset, entry);
    else if (first.epoch !== entry.epoch || !first.payload.equals(entry.payload)) {
      this.violations.push(
        `node ${node.id} committed e${entry.epoch}:${entry.payload} at ${entry.offset}, others e${first.epoch}:${first.payload}`,
      );
    }
    node.machine.apply(entry);
    this.#checkDigest(node);
    if (this.#markerOffset === null && entry.payload.equals(livenessMarker))
      this.#markerOffset = entry.offset;
  }

  #checkDigest(node: SimRaftNode): void {
    const { appliedOffset, digest } = node.machine;
    const known = this.digests.get(appliedOffset);
    if (known === undefined) this.digests.set(appliedOffset, digest);
    else if (known !== digest)
      this.violations.push(
        `node ${node.id} state digest ${digest} at ${appliedOffset}, others ${known}`,
      );
  }

  /** The fake state machine snapshots now and then, at whatever it has applied. */
  #maybeSnapshot(node: SimRaftNode): boolean {
    const lastOffset = node.machine.appliedOffset - 1;
    if (
      lastOffset < node.core.logStartOffset ||
      this.scenario.random.next() >= this.config.snapshotProbability
    )
      return false;
    const lastEpoch = node.core.epochAt(lastOffset);
    assert(lastEpoch !== null, 'an applied offset above the log start is in the log');
    const refused = node.core.snapshotTaken({ lastOffset, lastEpoch }, node.machine.image());
    assert(refused === null, `snapshot refused: ${refused}`);
    return true;
  }

  /** A client proposing to any node that believes it leads (a stale leader's entries vanish). */
  #client(): void {
    const leaders = this.ids
      .map((id) => this.nodes.get(id))
      .filter((n): n is SimRaftNode => n !== undefined && n.core.role === 'leader');
    if (leaders.length === 0) return;
    const leader = leaders[this.scenario.random.between(0, leaders.length - 1)]!;
    if (this.phase === 'liveness') return this.#proposeMarker(leader);
    if (this.scenario.random.next() >= this.config.proposalProbability) return;
    const count = this.scenario.random.between(1, 3);
    const payloads = Array.from({ length: count }, () =>
      Buffer.from(`p${this.#proposalSequence++}`),
    );
    if (leader.core.propose(payloads).ok) this.proposals += count;
    this.afterStep(leader, 'propose');
  }

  #proposeMarker(leader: SimRaftNode): void {
    if (this.#markerOffset !== null) return;
    const proposed = this.#markerProposedAt;
    if (
      proposed !== null &&
      proposed.epoch === leader.core.epoch &&
      proposed.leaderId === leader.id
    )
      return;
    if (!leader.core.propose([livenessMarker]).ok) return;
    this.#markerProposedAt = { epoch: leader.core.epoch, leaderId: leader.id };
    this.afterStep(leader, 'propose liveness marker');
  }

  /** Safety phase under faults, then heal everything and require progress within the bound. */
  run(nemesis: NemesisLike, checkInvariants: () => void): { livenessTicks: number } {
    const { config, scenario } = this;
    scenario.every(config.tickUnits, 0, () => {
      if (this.phase === 'safety') nemesis.step();
      return this.phase === 'safety';
    });
    scenario.run(config.safetyTicks * config.tickUnits, checkInvariants);
    this.phase = 'liveness';
    nemesis.healAll();
    scenario.network.configure(config.calmNetwork);
    const start = scenario.clock.now;
    const deadline = start + config.livenessTicksMax * config.tickUnits;
    // Applied directly or inside a snapshot: either way the state machine is past it.
    const marker = (): number => this.#markerOffset ?? Number.POSITIVE_INFINITY;
    const everyone = (): boolean =>
      this.ids.every((id) => (this.nodes.get(id)?.machine.appliedOffset ?? 0) > marker());
    if (!scenario.run(deadline, checkInvariants, everyone)) {
      const who = this.ids.map((id) => `${id}: ${describe(this.nodes.get(id)!.core)}`).join('\n');
      throw new Error(
        `liveness: no proposal committed on every node within ${config.livenessTicksMax} ticks of healing\n${who}`,
      );
    }
    return { livenessTicks: Math.ceil((scenario.clock.now - start) / config.tickUnits) };
  }

  /** The last events, for a failure report. */
  report(nemesis: NemesisLike): string {
    return [
      `events run: ${this.scenario.clock.eventsRun}`,
      'faults:',
      ...nemesis.history.slice(-20),
      'last events:',
      ...this.trace,
    ].join('\n');
  }

  #trace(line: string): void {
    if (!this.config.trace) return;
    this.trace.push(`t=${this.scenario.clock.now} ${line}`);
    if (this.trace.length > traceMax) this.trace.shift();
  }
}

export function describe(core: RaftCore): string {
  return `${core.role} e${core.epoch} leader=${core.leaderId} vote=${core.votedFor} log=[${core.logStartOffset},${core.logEndOffset}) hw=${core.highWatermark}`;
}
