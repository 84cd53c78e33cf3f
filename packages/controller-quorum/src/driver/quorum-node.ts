import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { SeededRandom } from '@rill/base';
import type { Logger } from 'pino';
import { RaftCore } from '../raft/core.js';
import type { RaftEvent, RaftOptions, SnapshotId } from '../raft/types.js';
import { QuorumTransport, quorumService } from './quorum-transport.js';
import { RaftDriver, type CommittedLogSink } from './raft-driver.js';
import { RaftStore } from './raft-store.js';

/** Kafka's quorum timings, in milliseconds (controller.quorum.*). */
export interface QuorumTimings {
  readonly electionTimeoutMs: number;
  readonly fetchTimeoutMs: number;
  readonly electionBackoffMaxMs: number;
  readonly requestTimeoutMs: number;
}

export interface QuorumNodeOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  /** Every voter's internal gRPC address, by node id (controller.quorum.voters). */
  readonly voters: ReadonlyMap<number, string>;
  /** This node's internal gRPC address as others reach it. */
  readonly selfAddress: string;
  readonly dataDir: string;
  readonly timings: QuorumTimings;
  readonly sink: CommittedLogSink;
  readonly logger: Logger;
  readonly onEvent?: (event: RaftEvent) => void;
  readonly onStep?: (core: RaftCore) => void;
}

/** One tick of the core's clock: fine enough for Kafka's default timeouts, cheap enough to idle. */
const tickMs = 25;

/**
 * How long the leader holds a Fetch it has nothing new for (KRaft's fetch max wait, 500 ms
 * there too). An idle follower or observer then costs two messages per this period instead
 * of one round trip per tick. It must stay well below the fetch timeout (2 s by default) and
 * the request timeout: a follower only counts its leader alive, and the leader its
 * followers, by the fetches that are answered and sent. New metadata never waits for it:
 * appending, or a high watermark move, answers a held fetch at once.
 */
const fetchMaxWaitMs = 500;

/**
 * This node's member of the metadata quorum: the Raft core with its LevelDB log, its gRPC
 * transport and its driver. A node that is not among the voters is an observer: it
 * replicates the log but never votes or leads.
 */
export class QuorumNode {
  readonly #driver: RaftDriver;
  readonly #store: RaftStore;
  readonly #transport: QuorumTransport;

  private constructor(driver: RaftDriver, store: RaftStore, transport: QuorumTransport) {
    this.#driver = driver;
    this.#store = store;
    this.#transport = transport;
  }

  static async open(options: QuorumNodeOptions): Promise<QuorumNode> {
    const store = await RaftStore.open(options.dataDir);
    const core = RaftCore.create(raftOptions(options), await store.load());
    const transport = new QuorumTransport({
      clusterId: options.clusterId,
      nodeId: options.nodeId,
      peers: options.voters,
      selfAddress: options.selfAddress,
      logger: options.logger,
    });
    const driver = new RaftDriver({
      core,
      store,
      transport,
      sink: options.sink,
      tickMs,
      logger: options.logger,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.onStep ? { onStep: options.onStep } : {}),
    });
    return new QuorumNode(driver, store, transport);
  }

  static readonly service = quorumService;

  get core(): RaftCore {
    return this.#driver.core;
  }

  /** Milliseconds of one core tick, to turn the core's tick counts into time. */
  static readonly tickMs = tickMs;

  get appliedOffset(): number {
    return this.#driver.appliedOffset;
  }

  serviceImplementation(): UntypedServiceImplementation {
    return this.#transport.serviceImplementation((message) => this.#driver.deliver(message));
  }

  start(): void {
    this.#driver.start();
  }

  propose(payloads: Buffer[]): Promise<{ lastOffset: number; commitMs: number }> {
    return this.#driver.propose(payloads);
  }

  snapshotTaken(id: SnapshotId, data: Buffer): void {
    this.#driver.snapshotTaken(id, data);
  }

  async stop(): Promise<void> {
    await this.#driver.stop();
    this.#transport.close();
    await this.#store.close();
  }
}

function raftOptions(options: QuorumNodeOptions): RaftOptions {
  const ticks = (ms: number): number => Math.max(1, Math.round(ms / tickMs));
  const fetchTimeoutTicks = ticks(options.timings.fetchTimeoutMs);
  const requestTimeoutTicks = ticks(options.timings.requestTimeoutMs);
  return {
    nodeId: options.nodeId,
    voters: [...options.voters.keys()],
    electionTimeoutTicks: ticks(options.timings.electionTimeoutMs),
    fetchTimeoutTicks,
    electionBackoffMaxTicks: ticks(options.timings.electionBackoffMaxMs),
    requestTimeoutTicks,
    fetchBackoffTicks: 1,
    // With shortened timeouts (tests), a quarter of the shorter one, as 500 ms is of 2 s.
    fetchMaxWaitTicks: Math.max(
      1,
      Math.min(ticks(fetchMaxWaitMs), Math.floor(Math.min(fetchTimeoutTicks, requestTimeoutTicks) / 4)),
    ),
    maxFetchEntries: 1000,
    maxFetchBytes: 1024 * 1024,
    snapshotChunkBytes: 1024 * 1024,
    random: new SeededRandom(options.nodeId * 7919 + Date.now()),
  };
}
