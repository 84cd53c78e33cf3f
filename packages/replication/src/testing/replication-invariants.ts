/**
 * The replication invariants (reliability plan I1, I4, I6, I11), checked after every
 * simulation event through testkit's InvariantChecker. Each returns null when it holds.
 */
import type { Invariant } from '@rill/testkit';
import type { ReplicationState, ViolationKind } from './sim-checker.js';

function recorded(name: string, kind: ViolationKind): Invariant<ReplicationState> {
  return { name, check: (state) => state.violations.get(kind) ?? null };
}

export const replicationInvariants: readonly Invariant<ReplicationState>[] = [
  recorded('a leader never exposes a HW above its own log end', 'exposedBeyondLog'),
  recorded('the HW a leader exposes never decreases within its epoch (I6)', 'hwWentBack'),
  recorded('a record exposed below a leader HW never changes (I6)', 'exposedChanged'),
  recorded('a leader HW never advances below min.insync.replicas (KIP-966)', 'hwAdvancedBelowMinIsr'),
  recorded('an acknowledged acks=all write is committed at its offset (I1)', 'ackNotCommitted'),
  {
    name: 'the leader counts every member of the controller ISR in its HW (DESIGN §7)',
    check: (state) => state.isrOutsideMaximal(),
  },
  {
    name: 'ISR replicas are identical below the committed HW (I4)',
    check: (state) => state.divergentIsrMember(),
  },
  {
    name: 'every committed record is held by an ISR member unless torn tails cut it (I1, I6)',
    check: (state) => {
      const missing = state.unheldCommitted();
      if (missing === null) return null;
      return `committed offsets [${missing.from}, ${missing.to}) are held by no member of the ISR ${state.partition().isr}`;
    },
  },
];

/** At the end, after healing: every acknowledged write is on every replica of the ISR. */
export function finalAckCheck(state: ReplicationState): string | null {
  const { isr } = state.partition();
  for (const ack of state.acks) {
    if (state.lostPayloads.has(ack.payload)) continue;
    for (const id of isr) {
      const record = state.disks.get(id)!.log[ack.offset];
      if (record?.payload !== ack.payload)
        return `acked payload ${ack.payload} at ${ack.offset} is ${record === undefined ? 'missing' : `payload ${record.payload}`} on ISR member ${id}`;
    }
  }
  for (const id of isr) {
    if (state.match(id) < state.committedEnd)
      return `ISR member ${id} matches the committed records only up to ${state.match(id)} of ${state.committedEnd}`;
  }
  return null;
}
