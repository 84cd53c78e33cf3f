/**
 * Collects what the steps since the last drain asked of the driver, keeping the persistence
 * list consistent: a truncation cancels entries queued at or above it in the same drain, so
 * the driver never appends something the core already took back.
 */
import type { RaftMessage } from './messages.js';
import type { Entry, HardState, RaftEffects, RaftEvent, RaftSnapshot } from './types.js';

export class EffectsBuffer {
  hardStateChanged = false;
  #snapshotToPersist: RaftSnapshot | null = null;
  #truncateFrom: number | null = null;
  #entries: Entry[] = [];
  #messages: RaftMessage[] = [];
  #snapshotToApply: RaftSnapshot | null = null;
  #events: RaftEvent[] = [];

  persistEntries(entries: readonly Entry[]): void {
    for (const entry of entries) this.#entries.push(entry);
  }

  persistTruncation(offset: number): void {
    this.#truncateFrom =
      this.#truncateFrom === null ? offset : Math.min(this.#truncateFrom, offset);
    this.#entries = this.#entries.filter((entry) => entry.offset < offset);
  }

  persistSnapshot(snapshot: RaftSnapshot): void {
    this.#snapshotToPersist = snapshot;
    // The snapshot write deletes persisted entries at or below it; drop queued ones too.
    this.#entries = this.#entries.filter((entry) => entry.offset > snapshot.lastOffset);
  }

  applySnapshot(snapshot: RaftSnapshot): void {
    this.#snapshotToApply = snapshot;
  }

  send(message: RaftMessage): void {
    this.#messages.push(message);
  }

  event(event: RaftEvent): void {
    this.#events.push(event);
  }

  drain(hardState: HardState, committed: readonly Entry[]): RaftEffects {
    const effects: RaftEffects = {
      hardState: this.hardStateChanged ? hardState : null,
      snapshotToPersist: this.#snapshotToPersist,
      truncateFrom: this.#truncateFrom,
      entriesToPersist: this.#entries,
      messages: this.#messages,
      snapshotToApply: this.#snapshotToApply,
      committed,
      events: this.#events,
    };
    this.hardStateChanged = false;
    this.#snapshotToPersist = null;
    this.#truncateFrom = null;
    this.#entries = [];
    this.#messages = [];
    this.#snapshotToApply = null;
    this.#events = [];
    return effects;
  }
}
