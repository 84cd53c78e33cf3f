/**
 * What a simulated driver has on disk: exactly what the effects asked to persist, applied
 * atomically per drain in the documented order. A crash keeps this and loses the rest.
 */
import { assert } from '@rill/base';
import type { Entry, HardState, RaftEffects, RaftSnapshot, StoredRaftState } from '../types.js';

export class SimStore {
  hardState: HardState | null = null;
  snapshot: RaftSnapshot | null = null;
  entries: Entry[] = [];

  stored(): StoredRaftState {
    return { hardState: this.hardState, snapshot: this.snapshot, entries: [...this.entries] };
  }

  get epoch(): number {
    return this.hardState?.epoch ?? 0;
  }

  persist(effects: RaftEffects): void {
    if (effects.hardState !== null) {
      assert(effects.hardState.epoch >= this.epoch, 'persisted epoch never decreases');
      this.hardState = effects.hardState;
    }
    const snapshot = effects.snapshotToPersist;
    if (snapshot !== null) {
      this.snapshot = snapshot;
      this.entries = this.entries.filter((entry) => entry.offset > snapshot.lastOffset);
    }
    const truncateFrom = effects.truncateFrom;
    if (truncateFrom !== null)
      this.entries = this.entries.filter((entry) => entry.offset < truncateFrom);
    for (const entry of effects.entriesToPersist) {
      const expected = this.endOffset();
      assert(
        entry.offset === expected,
        `persisted entry at ${entry.offset}, store ends at ${expected}`,
      );
      this.entries.push(entry);
    }
  }

  endOffset(): number {
    const last = this.entries.at(-1);
    if (last !== undefined) return last.offset + 1;
    return this.snapshot === null ? 0 : this.snapshot.lastOffset + 1;
  }

  /** Whether the entry at `offset` with `epoch` is on disk (inside the snapshot counts). */
  holds(offset: number, epoch: number): boolean {
    if (this.snapshot !== null && offset <= this.snapshot.lastOffset) {
      return offset < this.snapshot.lastOffset || this.snapshot.lastEpoch === epoch;
    }
    const first = this.entries[0];
    if (first === undefined) return false;
    return this.entries[offset - first.offset]?.epoch === epoch;
  }
}
