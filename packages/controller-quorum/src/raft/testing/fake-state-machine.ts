/**
 * A stand-in for the metadata state machine: it folds every applied entry into a digest,
 * so two nodes that applied the same offsets must hold the same digest, and its snapshot is
 * that digest. Loading a snapshot and replaying entries must agree with applying them all.
 */
import { assert } from '@rill/base';
import type { Entry, RaftSnapshot } from '../types.js';

export class FakeStateMachine {
  /** Next offset to apply. */
  appliedOffset = 0;
  digest = 0x811c9dc5;

  load(snapshot: RaftSnapshot): void {
    const image = JSON.parse(snapshot.data.toString()) as { appliedOffset: number; digest: number };
    assert(image.appliedOffset === snapshot.lastOffset + 1, 'snapshot image matches its id');
    this.appliedOffset = image.appliedOffset;
    this.digest = image.digest;
  }

  apply(entry: Entry): void {
    assert(
      entry.offset === this.appliedOffset,
      `applied ${entry.offset}, expected ${this.appliedOffset}`,
    );
    let digest = mix(this.digest, entry.epoch);
    for (const byte of entry.payload) digest = mix(digest, byte);
    this.digest = digest;
    this.appliedOffset++;
  }

  image(): Buffer {
    return Buffer.from(JSON.stringify({ appliedOffset: this.appliedOffset, digest: this.digest }));
  }
}

function mix(hash: number, value: number): number {
  return Math.imul(hash ^ value, 0x01000193) >>> 0;
}
