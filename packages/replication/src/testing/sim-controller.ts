/**
 * The controller, as an atomic oracle reached over the lossy network (the KRaft quorum is
 * tested on its own; here it is one correct process). It holds the partition's
 * {leader, leaderEpoch, partitionEpoch, isr, replicas} and the brokers' registrations, and
 * behaves as Kafka's controller does:
 * - a broker whose heartbeats stop for the session timeout is fenced: it leaves the ISR
 *   (unless it is the last member) and, if it led, a new leader is elected from the ISR
 *   among live brokers (-1 when there is none); the leader epoch and partition epoch move;
 * - a heartbeat from a fenced broker unfences it; a leaderless partition then elects;
 * - a heartbeat with a new incarnation is a restart (a new registration): the old
 *   incarnation is fenced at once, with the same effects, before the new one is live
 *   (KIP-966's unclean-restart handling, without ELR);
 * - AlterPartition is accepted only from the current leader, at the current leader epoch
 *   and partition epoch, adding only live replicas in the incarnation the leader saw fetch
 *   (KIP-903). Requests from one broker incarnation
 *   are applied in the order sent (one ordered channel): an older request arriving late is
 *   dropped, as a cancelled call on a closed connection would be;
 * - now and then it moves the leadership to another ISR member (preferred-leader election);
 * - every change is published to every node and client with network delay, and the
 *   current state is republished now and then (a broker catching up on the metadata log).
 */
import { ErrorCode } from '@rill/protocol';
import type { IsrProposal } from '../index.js';
import { controllerId } from './sim-config.js';
import type { SimContext } from './sim-context.js';
import type { PartitionState, SimMessage } from './sim-messages.js';

interface Registration {
  incarnation: number;
  lastHeartbeatMs: number;
  fenced: boolean;
  /** The last AlterPartition request id applied or refused from this incarnation. */
  lastAlterRequestId: number;
}

export class SimController {
  state: PartitionState;
  version = 0;
  readonly brokers = new Map<number, Registration>();
  #lastPublishMs = 0;

  constructor(readonly context: SimContext) {
    const nodes = context.config.nodes;
    this.state = {
      leader: nodes[context.random.between(0, nodes.length - 1)]!,
      leaderEpoch: 0,
      partitionEpoch: 0,
      isr: [...nodes],
      replicas: [...nodes],
    };
    for (const id of nodes)
      this.brokers.set(id, { incarnation: 0, lastHeartbeatMs: 0, fenced: false, lastAlterRequestId: 0 });
  }

  isLive(id: number): boolean {
    const broker = this.brokers.get(id);
    return broker !== undefined && !broker.fenced;
  }

  receive(from: number, message: SimMessage): void {
    if (message.kind === 'heartbeat') this.#heartbeat(from, message.incarnation, message.sentAtMs);
    else if (message.kind === 'alterPartition')
      this.#alterPartition(from, message.incarnation, message.requestId, message.proposal);
  }

  tick(): void {
    const now = this.context.now();
    for (const [id, broker] of this.brokers) {
      if (!broker.fenced && now - broker.lastHeartbeatMs > this.context.config.sessionTimeoutMs) {
        broker.fenced = true;
        this.context.coverage.fencings++;
        this.context.trace(() => `controller fences ${id}`);
        this.#removeBroker(id);
      }
    }
    if (now - this.#lastPublishMs >= this.context.config.metadataRepublishMs) this.#send();
  }

  /**
   * Move the leadership to another live ISR member, as a preferred-leader election or a
   * controlled shutdown does. Back-to-back moves give the divergent histories KIP-279 is about.
   */
  moveLeader(): void {
    const { leader, isr } = this.state;
    if (leader < 0 || !isr.some((id) => id !== leader && this.isLive(id))) return;
    this.context.trace(() => `controller moves the leadership away from ${leader}`);
    this.#elect(leader);
  }

  /** Publish the current state now (the start of a run). */
  publish(): void {
    this.version++;
    this.#send();
  }

  #heartbeat(from: number, incarnation: number, sentAtMs: number): void {
    const broker = this.brokers.get(from);
    if (broker === undefined || incarnation < broker.incarnation) return;
    const now = this.context.now();
    if (incarnation > broker.incarnation) {
      this.context.coverage.reregistrations++;
      this.context.trace(() => `controller registers ${from} incarnation ${incarnation}`);
      broker.fenced = true;
      this.#removeBroker(from);
      broker.incarnation = incarnation;
      broker.lastAlterRequestId = 0;
    }
    broker.lastHeartbeatMs = now;
    if (broker.fenced) {
      broker.fenced = false;
      this.context.trace(() => `controller unfences ${from}`);
      if (this.state.leader === -1 && this.state.isr.includes(from)) this.#elect(-1);
      else this.publish();
    }
    this.context.send(controllerId, from, { kind: 'heartbeatAnswer', incarnation, sentAtMs, fenced: false });
  }

  /** A fenced broker leaves the ISR (unless it is the last member) and the leadership. */
  #removeBroker(id: number): void {
    const { isr, leader } = this.state;
    const shrink = isr.includes(id) && isr.length > 1;
    if (shrink) this.state = { ...this.state, isr: isr.filter((member) => member !== id) };
    if (leader === id) this.#elect(id);
    else if (shrink) this.#change({});
  }

  /** Elect a live ISR member other than `excluded`, or none; the leader epoch moves. */
  #elect(excluded: number): void {
    const candidates = this.state.isr.filter((id) => id !== excluded && this.isLive(id));
    const leader =
      candidates.length === 0 ? -1 : candidates[this.context.random.between(0, candidates.length - 1)]!;
    if (leader !== -1) this.context.coverage.elections++;
    this.#change({ leader, leaderEpoch: this.state.leaderEpoch + 1 });
    this.context.trace(() => `controller elects ${leader} at epoch ${this.state.leaderEpoch} isr=${this.state.isr}`);
  }

  #change(update: Partial<PartitionState>): void {
    this.state = { ...this.state, ...update, partitionEpoch: this.state.partitionEpoch + 1 };
    this.publish();
  }

  #alterPartition(from: number, incarnation: number, requestId: number, proposal: IsrProposal): void {
    const broker = this.brokers.get(from);
    if (broker === undefined || incarnation !== broker.incarnation) return;
    if (requestId <= broker.lastAlterRequestId) return;
    broker.lastAlterRequestId = requestId;
    const errorCode = this.#refusal(from, proposal);
    if (errorCode === ErrorCode.NONE) {
      const grows = proposal.newIsr.length > this.state.isr.length;
      if (grows) this.context.coverage.isrExpands++;
      else this.context.coverage.isrShrinks++;
      this.#change({ isr: [...proposal.newIsr] });
      this.context.trace(() => `controller accepts isr=${proposal.newIsr} from ${from} (p${this.state.partitionEpoch})`);
    } else {
      this.context.coverage.alterRefusals++;
    }
    const { leaderEpoch, partitionEpoch, isr } = this.state;
    this.context.send(controllerId, from, {
      kind: 'alterPartitionAnswer',
      incarnation,
      requestId,
      outcome: { errorCode, leaderEpoch, partitionEpoch, isr },
    });
  }

  /** Kafka's checks, in its order. */
  #refusal(from: number, proposal: IsrProposal): number {
    const state = this.state;
    if (proposal.leaderEpoch < state.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (from !== state.leader) return ErrorCode.INVALID_REQUEST;
    if (proposal.leaderEpoch > state.leaderEpoch) return ErrorCode.NOT_CONTROLLER;
    if (proposal.partitionEpoch !== state.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
    const newIsr = proposal.newIsr;
    if (!newIsr.includes(from) || new Set(newIsr).size !== newIsr.length) return ErrorCode.INVALID_REQUEST;
    if (!newIsr.every((id) => state.replicas.includes(id))) return ErrorCode.INVALID_REQUEST;
    // KIP-903: a joining replica must be live, and the leader must have seen it fetch in
    // its current incarnation (a stale view could come from before a restart that lost data).
    const joining = proposal.newIsrWithEpochs.filter(({ brokerId }) => !state.isr.includes(brokerId));
    const eligible = ({ brokerId, brokerEpoch }: { brokerId: number; brokerEpoch: number }): boolean =>
      this.isLive(brokerId) && brokerEpoch === this.brokers.get(brokerId)!.incarnation;
    if (!joining.every(eligible)) return ErrorCode.INELIGIBLE_REPLICA;
    return ErrorCode.NONE;
  }

  #send(): void {
    this.#lastPublishMs = this.context.now();
    const incarnations = new Map<number, number>();
    for (const [id, broker] of this.brokers) incarnations.set(id, broker.incarnation);
    const message: SimMessage = { kind: 'metadata', version: this.version, partition: this.state, incarnations };
    for (const id of [...this.context.config.nodes, ...this.context.config.clients])
      this.context.send(controllerId, id, message);
  }
}
