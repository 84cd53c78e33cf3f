import { assert, unreachable } from '@rill/base';
import { ClusterDelta } from './cluster-delta.js';
import { ConfigsDelta } from './configs-delta.js';
import type { MetadataImage, Provenance } from './image.js';
import { noLocalChanges, topicsLocalChanges, type LocalChanges } from './local-changes.js';
import { ProducerIdsDelta } from './producer-ids-delta.js';
import type { MetadataRecord } from './records.js';
import { TopicsDelta } from './topics-delta.js';

/**
 * Records replayed on top of `image`, not yet turned into a new image. Each sub-delta is
 * created on the first record that touches it; `apply` rebuilds only those and reuses the
 * rest of the image by reference, so a reader can tell what changed with `!==`.
 *
 * Controllers and brokers run this same code: state changes only by replaying committed
 * records (DESIGN §6). A record that does not fit fails an assertion (see ClusterDelta).
 */
export class MetadataDelta {
  #cluster: ClusterDelta | null = null;
  #topics: TopicsDelta | null = null;
  #configs: ConfigsDelta | null = null;
  #producerIds: ProducerIdsDelta | null = null;
  /** Set when this delta stands for a snapshot load: the snapshot's image replaces ours. */
  #snapshot: MetadataImage | null = null;

  constructor(readonly image: MetadataImage) {}

  /**
   * A snapshot load presented as a delta from the image it replaces, so listeners handle it
   * like any other update (Kafka's publishers do the same): localChanges() tells a broker
   * which partitions it now leads or follows and which vanished while it was away.
   */
  static fromSnapshot(previous: MetadataImage, snapshot: MetadataImage): MetadataDelta {
    const delta = new MetadataDelta(previous);
    delta.#topics = TopicsDelta.between(previous.topics, snapshot.topics);
    delta.#snapshot = snapshot;
    return delta;
  }

  replay(record: MetadataRecord): void {
    assert(this.#snapshot === null, 'records replayed onto a snapshot delta');
    switch (record.type) {
      case 'registerBroker':
      case 'unregisterBroker':
      case 'fenceBroker':
      case 'unfenceBroker':
        return this.#clusterDelta().replay(record);
      case 'topic':
      case 'partition':
      case 'partitionChange':
        this.#topicsDelta().replay(record);
        return;
      case 'removeTopic':
        return this.#replayRemoveTopic(record);
      case 'config':
        return this.#configsDelta().replay(record);
      case 'producerIdsBlock':
        return this.#producerIdsDelta().replay(record);
      case 'leaderChange':
        return;
      default:
        unreachable(record, 'metadata record type');
    }
  }

  /** A removed topic takes its configs along, or a new topic of its name would inherit them. */
  #replayRemoveTopic(record: MetadataRecord & { type: 'removeTopic' }): void {
    const name = this.#topicsDelta().replay(record);
    assert(name !== null, 'a topic removal names the topic');
    this.#configsDelta().clear('topic', name);
  }

  apply(provenance: Provenance): MetadataImage {
    assert(provenance.offset >= this.image.provenance.offset, 'provenance offset went backwards');
    assert(provenance.epoch >= this.image.provenance.epoch, 'provenance epoch went backwards');
    if (this.#snapshot !== null) return { ...this.#snapshot, provenance };
    return {
      provenance,
      cluster: this.#cluster?.apply() ?? this.image.cluster,
      topics: this.#topics?.apply() ?? this.image.topics,
      configs: this.#configs?.apply() ?? this.image.configs,
      producerIds: this.#producerIds?.apply() ?? this.image.producerIds,
    };
  }

  /** What broker `brokerId` must do once this delta is applied. */
  localChanges(brokerId: number): LocalChanges {
    return this.#topics === null ? noLocalChanges : topicsLocalChanges(this.#topics, brokerId);
  }

  #clusterDelta(): ClusterDelta {
    this.#cluster ??= new ClusterDelta(this.image.cluster);
    return this.#cluster;
  }

  #topicsDelta(): TopicsDelta {
    this.#topics ??= new TopicsDelta(this.image.topics);
    return this.#topics;
  }

  #configsDelta(): ConfigsDelta {
    this.#configs ??= new ConfigsDelta(this.image.configs);
    return this.#configs;
  }

  #producerIdsDelta(): ProducerIdsDelta {
    this.#producerIds ??= new ProducerIdsDelta(this.image.producerIds);
    return this.#producerIds;
  }
}

/** Replays `records` onto `image`: the controller's view of what its pending records will make. */
export function replayAll(
  image: MetadataImage,
  records: readonly MetadataRecord[],
  provenance: Provenance,
): MetadataImage {
  const delta = new MetadataDelta(image);
  for (const record of records) delta.replay(record);
  return delta.apply(provenance);
}
