import type { Entry, RaftSnapshot } from '../raft/types.js';
import { MetadataDelta } from './delta.js';
import { emptyImage, type MetadataImage } from './image.js';
import { decodeEntryPayload } from './record-codec.js';
import { decodeSnapshot } from './snapshot.js';

/** One step of the image: the delta that led to it, and the image itself. */
export interface MetadataUpdate {
  readonly delta: MetadataDelta;
  readonly image: MetadataImage;
  /** 'snapshot' when a snapshot replaced the image (a new node, or one far behind). */
  readonly source: 'log' | 'snapshot';
}

export type MetadataPublisher = (update: MetadataUpdate) => void;

/**
 * Turns committed Raft output into images, and tells publishers (the broker's replica
 * manager, its metadata cache, the controller) about each one. It fits the Raft driver's
 * committed-log sink: `apply(entries)` and `loadSnapshot(snapshot)`.
 *
 * Publishers run synchronously, in subscription order, and must not throw. A committed entry
 * that does not decode throws DecodeError: the quorum agreed on bytes we cannot read (a
 * newer record version, or corruption), and no image built past it could be trusted.
 */
export class MetadataLoader {
  #image: MetadataImage;
  readonly #publishers: MetadataPublisher[] = [];

  constructor(initial: MetadataImage = emptyImage) {
    this.#image = initial;
  }

  get image(): MetadataImage {
    return this.#image;
  }

  subscribe(publisher: MetadataPublisher): void {
    this.#publishers.push(publisher);
  }

  /** Replays committed entries, in log order, and publishes one update for the batch. */
  apply(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const delta = new MetadataDelta(this.#image);
    for (const entry of entries) {
      for (const record of decodeEntryPayload(entry.payload)) delta.replay(record);
    }
    const last = entries[entries.length - 1];
    this.#publish(delta, delta.apply({ offset: last.offset, epoch: last.epoch }), 'log');
  }

  loadSnapshot(snapshot: RaftSnapshot): void {
    const decoded = decodeSnapshot(snapshot.data);
    const image = {
      ...decoded,
      provenance: { offset: snapshot.lastOffset, epoch: snapshot.lastEpoch },
    };
    this.#publish(MetadataDelta.fromSnapshot(this.#image, image), image, 'snapshot');
  }

  #publish(delta: MetadataDelta, image: MetadataImage, source: MetadataUpdate['source']): void {
    this.#image = image;
    for (const publisher of this.#publishers) publisher({ delta, image, source });
  }
}
