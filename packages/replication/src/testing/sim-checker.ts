/**
 * What the replication invariants need to know, kept incrementally so that checking after
 * every event stays cheap:
 * - `committed`: every record any leader ever exposed below its high watermark, by offset
 *   (the first one exposed at each offset; a different one later is a violation, I6);
 * - per node, how long a prefix of its log (on its SimDisk, so down nodes count) equals
 *   `committed`;
 * - the highest HW each leader exposed in each of its epochs (never to go back);
 * - the acknowledged acks=all writes (I1);
 * - which records a torn tail cut on some node: only those may ever be lost, and only when
 *   no ISR member holds them any more (the ISR's last holder lost them: Kafka without ELR
 *   loses them too, KIP-966's "last replica standing").
 */
import type { PartitionLeader } from '../index.js';
import type { SimDisk } from './sim-disk.js';
import type { Coverage } from './sim-context.js';
import type { AckObserver } from './sim-client.js';
import type { PartitionState, SimRecord } from './sim-messages.js';
import type { ReplicaObserver } from './sim-replica.js';

export type ViolationKind =
  | 'hwWentBack'
  | 'hwAdvancedBelowMinIsr'
  | 'exposedChanged'
  | 'exposedBeyondLog'
  | 'ackNotCommitted';

export interface Ack {
  readonly payload: number;
  readonly offset: number;
  readonly client: number;
}

export class ReplicationState implements ReplicaObserver, AckObserver {
  readonly committed: SimRecord[] = [];
  /** Payloads a torn tail cut on some node (write ids are unique, so a payload is a record). */
  readonly tornPayloads = new Set<number>();
  /** Payloads of committed records lost to torn tails on every ISR member. */
  readonly lostPayloads = new Set<number>();
  readonly acks: Ack[] = [];
  readonly violations = new Map<ViolationKind, string>();
  readonly #match = new Map<number, number>();
  readonly #leaderHighWatermarks = new Map<string, number>();

  constructor(
    readonly disks: ReadonlyMap<number, SimDisk>,
    readonly partition: () => PartitionState,
    /** The maximal ISR of the node leading the controller's current epoch, if it knows it leads. */
    readonly currentLeaderMaximalIsr: () => readonly number[] | null,
    readonly minInsyncReplicas: number,
    readonly coverage: Coverage,
  ) {
    for (const id of disks.keys()) this.#match.set(id, 0);
  }

  get committedEnd(): number {
    return this.committed.length;
  }

  /** How long a prefix of the node's log equals the committed records. */
  match(node: number): number {
    return this.#match.get(node)!;
  }

  appended(node: number): void {
    this.#extend(node);
  }

  truncated(node: number, to: number): void {
    this.#match.set(node, Math.min(this.match(node), to));
  }

  /**
   * A crash tore the node's log down to `cut`, losing `lost`. Those records (committed
   * already, or committed later on a report the node sent before it died) may now be lost
   * for good, if no ISR member holds them any more.
   */
  tornTail(node: number, cut: number, lost: readonly SimRecord[]): void {
    for (const record of lost) this.tornPayloads.add(record.payload);
    this.truncated(node, cut);
  }

  #isTorn(offset: number): boolean {
    return this.tornPayloads.has(this.committed[offset]!.payload);
  }

  leaderHighWatermark(node: number, leader: PartitionLeader, elected: boolean): void {
    const { leaderEpoch, highWatermark } = leader;
    const needed = Math.min(this.minInsyncReplicas, leader.replicas.length);
    if (!elected && leader.committedIsr.length < needed) {
      this.#violate(
        'hwAdvancedBelowMinIsr',
        `leader ${node} e${leaderEpoch} advanced its HW to ${highWatermark} with ISR ${leader.committedIsr} (KIP-966 needs ${needed})`,
      );
    }
    const key = `${node}/${leaderEpoch}`;
    const previous = this.#leaderHighWatermarks.get(key);
    if (previous !== undefined && highWatermark < previous) {
      this.#violate('hwWentBack', `leader ${node} in epoch ${leaderEpoch} exposed HW ${highWatermark} after ${previous}`);
    }
    this.#leaderHighWatermarks.set(key, Math.max(previous ?? 0, highWatermark));
    const start = elected ? 0 : Math.min(previous ?? 0, this.committedEnd);
    this.#record(node, leaderEpoch, start, highWatermark);
  }

  acked(payload: number, offset: number, client: number): void {
    if (this.lostPayloads.has(payload)) return;
    if (this.committed[offset]?.payload !== payload) {
      this.#violate(
        'ackNotCommitted',
        `client ${client} got an ack for payload ${payload} at offset ${offset}, committed there: ${JSON.stringify(this.committed[offset] ?? null)}`,
      );
    }
    this.acks.push({ payload, offset, client });
  }

  /**
   * Committed offsets no ISR member holds any more. When a torn tail cut every one of them
   * somewhere, they are lost to that fault (the exemption): they leave `committed`, and
   * acknowledged writes among them no longer count. Returns what is missing otherwise.
   */
  unheldCommitted(): { from: number; to: number } | null {
    const { isr } = this.partition();
    let held = 0;
    for (const id of isr) held = Math.max(held, this.match(id));
    const end = this.committedEnd;
    if (held >= end) return null;
    for (let offset = held; offset < end; offset++) if (!this.#isTorn(offset)) return { from: held, to: end };
    this.#dropCommitted(held);
    return null;
  }

  /**
   * DESIGN §7's safety condition: the leader's HW waits for every replica the controller
   * could elect, so its maximal ISR contains the controller's ISR for its epoch (the
   * controller only shrinks it on its own, and only expands it at the leader's request).
   */
  isrOutsideMaximal(): string | null {
    const maximal = this.currentLeaderMaximalIsr();
    if (maximal === null) return null;
    const { isr, leader, leaderEpoch } = this.partition();
    const outside = isr.filter((id) => !maximal.includes(id));
    if (outside.length === 0) return null;
    return `leader ${leader} of epoch ${leaderEpoch} does not count ${outside} (maximal ISR ${maximal}, controller ISR ${isr})`;
  }

  /** An ISR member whose log differs from the committed records below their end, or null. */
  divergentIsrMember(): string | null {
    const end = this.committedEnd;
    for (const id of this.partition().isr) {
      const need = Math.min(this.disks.get(id)!.logEndOffset, end);
      const match = this.match(id);
      if (match < need) {
        const ours = this.disks.get(id)!.log[match]!;
        const committed = this.committed[match]!;
        return `ISR member ${id} holds e${ours.epoch}:${ours.payload} at committed offset ${match}, committed e${committed.epoch}:${committed.payload}`;
      }
    }
    return null;
  }

  #record(node: number, leaderEpoch: number, start: number, highWatermark: number): void {
    const log = this.disks.get(node)!.log;
    if (highWatermark > log.length) {
      this.#violate('exposedBeyondLog', `leader ${node} e${leaderEpoch} exposed HW ${highWatermark} above its log end ${log.length}`);
      return;
    }
    for (let offset = start; offset < highWatermark; offset++) {
      const record = log[offset]!;
      if (offset === this.committedEnd) {
        this.committed.push(record);
        continue;
      }
      const committed = this.committed[offset]!;
      if (sameRecord(committed, record)) continue;
      if (this.#isTorn(offset)) {
        this.#dropCommitted(offset);
        this.committed.push(record);
        continue;
      }
      // A stale leader (paused, not yet told it was replaced) exposing a record that a
      // follower reported and then lost in a torn tail: that record is lost to the fault.
      if (this.tornPayloads.has(record.payload)) {
        this.coverage.tornExposures++;
        continue;
      }
      this.#violate(
        'exposedChanged',
        `leader ${node} e${leaderEpoch} exposed e${record.epoch}:${record.payload} at ${offset}, committed there was e${committed.epoch}:${committed.payload}`,
      );
      return;
    }
    for (const id of this.#match.keys()) this.#extend(id);
  }

  #dropCommitted(from: number): void {
    for (let offset = from; offset < this.committedEnd; offset++) {
      this.lostPayloads.add(this.committed[offset]!.payload);
      this.coverage.lostToTornTails++;
    }
    this.committed.length = from;
    for (const id of this.#match.keys()) this.#match.set(id, Math.min(this.match(id), from));
  }

  #extend(node: number): void {
    const log = this.disks.get(node)!.log;
    const committed = this.committed;
    let match = this.match(node);
    while (match < committed.length && match < log.length && sameRecord(log[match]!, committed[match]!)) match++;
    this.#match.set(node, match);
  }

  #violate(kind: ViolationKind, detail: string): void {
    if (!this.violations.has(kind)) this.violations.set(kind, detail);
  }
}

function sameRecord(a: SimRecord, b: SimRecord): boolean {
  return a.epoch === b.epoch && a.payload === b.payload;
}
