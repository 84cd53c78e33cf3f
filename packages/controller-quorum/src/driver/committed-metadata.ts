import type { Logger } from 'pino';
import type { MetadataDelta } from '../metadata/delta.js';
import type { MetadataImage } from '../metadata/image.js';
import { MetadataLoader } from '../metadata/loader.js';
import { encodeSnapshot } from '../metadata/snapshot.js';
import type { Entry, RaftSnapshot, SnapshotId } from '../raft/types.js';
import type { CommittedLogSink } from './raft-driver.js';

export type MetadataListener = (delta: MetadataDelta, image: MetadataImage) => void;

export interface CommittedMetadataOptions {
  /** Take a snapshot after this many bytes of records (metadata.log.max.record.bytes.between.snapshots). */
  readonly snapshotEveryBytes: number;
  readonly takeSnapshot: (id: SnapshotId, data: Buffer) => void;
  readonly logger: Logger;
}

/**
 * This node's committed metadata: the MetadataLoader that replays the Raft log into images,
 * plus what the node around it needs — waiting until an offset has been replayed here, and
 * snapshotting the image once enough log has built up, so the Raft log behind it can go.
 */
export class CommittedMetadata implements CommittedLogSink {
  readonly #options: CommittedMetadataOptions;
  readonly #loader = new MetadataLoader();
  readonly #offsetWaiters: { offset: number; resolve: () => void }[] = [];
  #bytesSinceSnapshot = 0;

  constructor(options: CommittedMetadataOptions) {
    this.#options = options;
    this.#loader.subscribe(({ image }) => this.#release(image));
  }

  get image(): MetadataImage {
    return this.#loader.image;
  }

  subscribe(listener: MetadataListener): void {
    this.#loader.subscribe(({ delta, image }) => listener(delta, image));
  }

  /** Resolves once the image includes the log entry at `offset`. */
  waitForOffset(offset: number): Promise<void> {
    if (this.image.provenance.offset >= offset) return Promise.resolve();
    return new Promise((resolve) => this.#offsetWaiters.push({ offset, resolve }));
  }

  loadSnapshot(snapshot: RaftSnapshot): void {
    this.#bytesSinceSnapshot = 0;
    this.#loader.loadSnapshot(snapshot);
  }

  apply(entries: readonly Entry[]): void {
    this.#loader.apply(entries);
    for (const entry of entries) this.#bytesSinceSnapshot += entry.payload.length;
    if (this.#bytesSinceSnapshot >= this.#options.snapshotEveryBytes) this.#snapshot();
  }

  #release(image: MetadataImage): void {
    const reached = this.#offsetWaiters.filter((w) => w.offset <= image.provenance.offset);
    for (const waiter of reached) {
      this.#offsetWaiters.splice(this.#offsetWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  #snapshot(): void {
    const { offset, epoch } = this.image.provenance;
    this.#bytesSinceSnapshot = 0;
    this.#options.takeSnapshot({ lastOffset: offset, lastEpoch: epoch }, encodeSnapshot(this.image));
    this.#options.logger.info({ offset, epoch }, 'metadata snapshot taken');
  }
}
