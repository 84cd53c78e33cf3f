import { assert } from '@rill/base';
import type { PartitionRegistration, TopicImage, TopicsImage } from './image.js';
import {
  noLeader,
  type PartitionChangeRecord,
  type PartitionRecord,
  type RemoveTopicRecord,
  type TopicRecord,
} from './records.js';

export type TopicsRecord =
  | TopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | RemoveTopicRecord;

/** One topic created or changed in a delta, with only its changed partitions. */
export interface TopicChanges {
  readonly name: string;
  readonly topicId: string;
  /** The topic in the delta's base image; undefined when the delta created it. */
  readonly base: TopicImage | undefined;
  readonly partitions: Map<number, PartitionRegistration>;
}

/**
 * Topics and partitions changed since `image`. Like every delta, replay asserts that each
 * record fits: our controller computed it from this very state, so a misfit is a bug.
 */
export class TopicsDelta {
  readonly #changed = new Map<string, TopicChanges>();
  /** Topics of the base image removed in this delta, kept whole so brokers can delete them. */
  readonly #deleted = new Map<string, TopicImage>();
  /** Names of topics this delta created, to keep names unique across the delta. */
  readonly #createdNames = new Map<string, string>();

  constructor(readonly image: TopicsImage) {}

  /** The delta that turns `previous` into `next` (a snapshot load), partition by partition. */
  static between(previous: TopicsImage, next: TopicsImage): TopicsDelta {
    const delta = new TopicsDelta(previous);
    for (const topic of previous.byId.values()) {
      if (!next.byId.has(topic.topicId)) delta.#deleted.set(topic.topicId, topic);
    }
    for (const topic of next.byId.values()) {
      const base = previous.byId.get(topic.topicId);
      const partitions = new Map<number, PartitionRegistration>();
      for (const [index, registration] of topic.partitions) {
        const before = base?.partitions.get(index);
        if (before === undefined || !samePartition(before, registration))
          partitions.set(index, registration);
      }
      if (base === undefined || partitions.size > 0) {
        delta.#changed.set(topic.topicId, {
          name: topic.name,
          topicId: topic.topicId,
          base,
          partitions,
        });
      }
    }
    return delta;
  }

  changedTopics(): ReadonlyMap<string, TopicChanges> {
    return this.#changed;
  }

  deletedTopics(): ReadonlyMap<string, TopicImage> {
    return this.#deleted;
  }

  /** The topic's name and id as of the records replayed so far. */
  topic(topicId: string): { readonly name: string; readonly topicId: string } | undefined {
    if (this.#deleted.has(topicId)) return undefined;
    return this.#changed.get(topicId) ?? this.image.byId.get(topicId);
  }

  partition(topicId: string, partition: number): PartitionRegistration | undefined {
    if (this.#deleted.has(topicId)) return undefined;
    return (
      this.#changed.get(topicId)?.partitions.get(partition) ??
      this.image.byId.get(topicId)?.partitions.get(partition)
    );
  }

  /** Replays one record; returns the name of a topic it removed, for the configs delta. */
  replay(record: TopicsRecord): string | null {
    switch (record.type) {
      case 'topic':
        this.#replayTopic(record);
        return null;
      case 'partition':
        this.#replayPartition(record);
        return null;
      case 'partitionChange':
        this.#replayPartitionChange(record);
        return null;
      case 'removeTopic':
        return this.#replayRemoveTopic(record);
    }
  }

  #replayTopic(record: TopicRecord): void {
    assert(this.topic(record.topicId) === undefined, `topic id ${record.topicId} exists`);
    assert(!this.#nameInUse(record.name), `topic name ${record.name} exists`);
    const changes = {
      name: record.name,
      topicId: record.topicId,
      base: undefined,
      partitions: new Map(),
    };
    this.#changed.set(record.topicId, changes);
    this.#createdNames.set(record.name, record.topicId);
  }

  #nameInUse(name: string): boolean {
    if (this.#createdNames.has(name)) return true;
    const existing = this.image.byName.get(name);
    return existing !== undefined && !this.#deleted.has(existing.topicId);
  }

  #replayPartition(record: PartitionRecord): void {
    assert(
      this.topic(record.topicId) !== undefined,
      `partition of unknown topic ${record.topicId}`,
    );
    assert(this.partition(record.topicId, record.partition) === undefined, 'partition exists');
    const { type: _type, topicId: _topicId, partition, ...registration } = record;
    checkRegistration(registration);
    this.#changesOf(record.topicId).partitions.set(partition, registration);
  }

  #replayPartitionChange(record: PartitionChangeRecord): void {
    const current = this.partition(record.topicId, record.partition);
    assert(
      current !== undefined,
      `change of unknown partition ${record.topicId}/${record.partition}`,
    );
    const next: PartitionRegistration = {
      replicas: record.replicas ?? current.replicas,
      isr: record.isr ?? current.isr,
      leader: record.leader ?? current.leader,
      leaderEpoch: record.leader === null ? current.leaderEpoch : current.leaderEpoch + 1,
      partitionEpoch: current.partitionEpoch + 1,
    };
    checkRegistration(next);
    this.#changesOf(record.topicId).partitions.set(record.partition, next);
  }

  #replayRemoveTopic(record: RemoveTopicRecord): string {
    const topic = this.topic(record.topicId);
    assert(topic !== undefined, `removal of unknown topic ${record.topicId}`);
    this.#changed.delete(record.topicId);
    this.#createdNames.delete(topic.name);
    const base = this.image.byId.get(record.topicId);
    if (base !== undefined) this.#deleted.set(record.topicId, base);
    return topic.name;
  }

  #changesOf(topicId: string): TopicChanges {
    let changes = this.#changed.get(topicId);
    if (changes === undefined) {
      const base = this.image.byId.get(topicId);
      assert(base !== undefined, `topic ${topicId} is in neither the delta nor the image`);
      changes = { name: base.name, topicId, base, partitions: new Map() };
      this.#changed.set(topicId, changes);
    }
    return changes;
  }

  apply(): TopicsImage {
    if (this.#changed.size === 0 && this.#deleted.size === 0) return this.image;
    const byId = new Map(this.image.byId);
    const byName = new Map(this.image.byName);
    for (const topic of this.#deleted.values()) {
      byId.delete(topic.topicId);
      byName.delete(topic.name);
    }
    for (const changes of this.#changed.values()) {
      const topic = applyTopicChanges(changes);
      byId.set(topic.topicId, topic);
      byName.set(topic.name, topic);
    }
    return { byId, byName };
  }
}

function applyTopicChanges(changes: TopicChanges): TopicImage {
  if (changes.partitions.size === 0 && changes.base !== undefined) return changes.base;
  const partitions = new Map(changes.base?.partitions);
  for (const [index, registration] of changes.partitions) partitions.set(index, registration);
  return { name: changes.name, topicId: changes.topicId, partitions };
}

function samePartition(a: PartitionRegistration, b: PartitionRegistration): boolean {
  return (
    a.leader === b.leader &&
    a.leaderEpoch === b.leaderEpoch &&
    a.partitionEpoch === b.partitionEpoch &&
    sameIds(a.replicas, b.replicas) &&
    sameIds(a.isr, b.isr)
  );
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}

/** The shape every partition keeps, whatever the record: checked after each change. */
function checkRegistration(registration: PartitionRegistration): void {
  assert(registration.replicas.length > 0, 'a partition has no replicas');
  assert(registration.isr.length > 0, 'an ISR is never empty');
  for (const member of registration.isr)
    assert(registration.replicas.includes(member), `ISR member ${member} is no replica`);
  if (registration.leader !== noLeader) {
    assert(
      registration.isr.includes(registration.leader),
      `leader ${registration.leader} is outside the ISR`,
    );
  }
}
