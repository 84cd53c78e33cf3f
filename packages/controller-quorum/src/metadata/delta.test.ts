import { describe, expect, it } from 'vitest';
import { MetadataDelta } from './delta.js';
import { emptyImage } from './image.js';
import { imageHash } from './image-hash.js';
import { decodeEntryPayload, encodeEntryPayload } from './record-codec.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import {
  clusterOf,
  partitionRecord,
  registerBroker,
  replayed,
  topicIdFor,
} from './testing/fixtures.js';

const orders = topicIdFor(1);
const payments = topicIdFor(2);

/** Brokers 1-3; orders: p0 [1,2,3], p1 [2,3,1]; payments: p0 [3,1,2]; one topic config. */
function baseImage() {
  return replayed(clusterOf(3), [
    { type: 'topic', name: 'orders', topicId: orders },
    partitionRecord(orders, 0, [1, 2, 3]),
    partitionRecord(orders, 1, [2, 3, 1]),
    { type: 'topic', name: 'payments', topicId: payments },
    partitionRecord(payments, 0, [3, 1, 2]),
    {
      type: 'config',
      resourceType: 'topic',
      resourceName: 'orders',
      key: 'retention.ms',
      value: '60000',
    },
  ]);
}

describe('MetadataDelta replay and apply', () => {
  it('reuses every sub-image it did not touch, by reference', () => {
    const image = baseImage();
    const next = replayed(image, [
      { type: 'config', resourceType: 'broker', resourceName: '', key: 'x', value: '1' },
    ]);
    expect(next.cluster).toBe(image.cluster);
    expect(next.topics).toBe(image.topics);
    expect(next.producerIds).toBe(image.producerIds);
    expect(next.configs).not.toBe(image.configs);
    expect(next.configs.topic).toBe(image.configs.topic);
  });

  it('reuses untouched topics when one partition changes', () => {
    const image = baseImage();
    const next = replayed(image, [
      {
        type: 'partitionChange',
        topicId: orders,
        partition: 1,
        leader: null,
        isr: [2, 3],
        replicas: null,
      },
    ]);
    expect(next.cluster).toBe(image.cluster);
    expect(next.topics.byId.get(payments)).toBe(image.topics.byId.get(payments));
    expect(next.topics.byId.get(orders)?.partitions.get(0)).toBe(
      image.topics.byId.get(orders)?.partitions.get(0),
    );
  });

  it('bumps leaderEpoch only with a leader, and partitionEpoch always', () => {
    const image = baseImage();
    const isrOnly = replayed(image, [
      {
        type: 'partitionChange',
        topicId: orders,
        partition: 0,
        leader: null,
        isr: [1, 2],
        replicas: null,
      },
    ]);
    expect(isrOnly.topics.byName.get('orders')?.partitions.get(0)).toMatchObject({
      leader: 1,
      isr: [1, 2],
      leaderEpoch: 0,
      partitionEpoch: 1,
    });
    const newLeader = replayed(isrOnly, [
      {
        type: 'partitionChange',
        topicId: orders,
        partition: 0,
        leader: 2,
        isr: null,
        replicas: null,
      },
    ]);
    expect(newLeader.topics.byName.get('orders')?.partitions.get(0)).toMatchObject({
      leader: 2,
      leaderEpoch: 1,
      partitionEpoch: 2,
    });
  });

  it('sees its own earlier records within one delta', () => {
    const delta = new MetadataDelta(baseImage());
    delta.replay({
      type: 'partitionChange',
      topicId: orders,
      partition: 0,
      leader: 2,
      isr: [2, 3],
      replicas: null,
    });
    delta.replay({
      type: 'partitionChange',
      topicId: orders,
      partition: 0,
      leader: 3,
      isr: null,
      replicas: null,
    });
    const next = delta.apply({ offset: 10, epoch: 1 });
    expect(next.topics.byId.get(orders)?.partitions.get(0)).toMatchObject({
      leader: 3,
      isr: [2, 3],
      leaderEpoch: 2,
      partitionEpoch: 2,
    });
    expect(next.provenance).toEqual({ offset: 10, epoch: 1 });
  });

  it('removes a topic with its configs, and a new topic may take the name', () => {
    const fresh = topicIdFor(9);
    const next = replayed(baseImage(), [
      { type: 'removeTopic', topicId: orders },
      { type: 'topic', name: 'orders', topicId: fresh },
      partitionRecord(fresh, 0, [1]),
    ]);
    expect(next.topics.byName.get('orders')?.topicId).toBe(fresh);
    expect(next.topics.byId.has(orders)).toBe(false);
    expect(next.configs.topic.has('orders')).toBe(false);
  });

  it('fences, unfences and unregisters brokers', () => {
    const fenced = replayed(baseImage(), [
      { type: 'fenceBroker', nodeId: 2 },
      { type: 'unregisterBroker', nodeId: 3 },
    ]);
    expect(fenced.cluster.brokers.get(2)?.fenced).toBe(true);
    expect(fenced.cluster.brokers.has(3)).toBe(false);
    const back = replayed(fenced, [
      { type: 'unfenceBroker', nodeId: 2 },
      registerBroker(3, { fenced: true }),
    ]);
    expect(back.cluster.brokers.get(2)?.fenced).toBe(false);
    expect(back.cluster.brokers.get(3)?.fenced).toBe(true);
  });

  it('keeps the last producer id block', () => {
    const next = replayed(emptyImage, [
      { type: 'producerIdsBlock', brokerId: 1, firstProducerId: 0, size: 1000 },
      { type: 'producerIdsBlock', brokerId: 2, firstProducerId: 1000, size: 1000 },
    ]);
    expect(next.producerIds.lastBlock).toEqual({ brokerId: 2, firstProducerId: 1000, size: 1000 });
  });

  it('replays a leader-change marker without touching any sub-image', () => {
    const image = baseImage();
    const next = replayed(image, [{ type: 'leaderChange', leaderId: 1, epoch: 4 }]);
    expect(next.cluster).toBe(image.cluster);
    expect(next.topics).toBe(image.topics);
    expect(next.configs).toBe(image.configs);
  });
});

describe('localChanges', () => {
  it('names the partitions a broker now leads, follows and must delete', () => {
    const delta = new MetadataDelta(baseImage());
    delta.replay({
      type: 'partitionChange',
      topicId: orders,
      partition: 0,
      leader: 2,
      isr: [2, 3],
      replicas: null,
    });
    delta.replay({
      type: 'partitionChange',
      topicId: orders,
      partition: 1,
      leader: null,
      isr: [2, 3],
      replicas: [2, 3],
    });
    delta.replay({ type: 'removeTopic', topicId: payments });
    const forTwo = delta.localChanges(2);
    expect(forTwo.leaders).toEqual([
      {
        topicName: 'orders',
        topicId: orders,
        partition: 0,
        leader: 2,
        leaderEpoch: 1,
        partitionEpoch: 1,
        replicas: [1, 2, 3],
        isr: [2, 3],
      },
      {
        topicName: 'orders',
        topicId: orders,
        partition: 1,
        leader: 2,
        leaderEpoch: 0,
        partitionEpoch: 1,
        replicas: [2, 3],
        isr: [2, 3],
      },
    ]);
    expect(forTwo.followers).toEqual([]);
    expect(forTwo.deletes).toEqual([{ topicName: 'payments', topicId: payments, partition: 0 }]);
    const forOne = delta.localChanges(1);
    expect(forOne.leaders).toEqual([]);
    expect(forOne.followers.map((r) => `${r.topicName}/${r.partition}`)).toEqual(['orders/0']);
    expect(forOne.deletes).toEqual([
      { topicName: 'payments', topicId: payments, partition: 0 },
      { topicName: 'orders', topicId: orders, partition: 1 },
    ]);
  });

  it('is empty for a delta that touched no topics', () => {
    const delta = new MetadataDelta(baseImage());
    delta.replay({ type: 'fenceBroker', nodeId: 1 });
    expect(delta.localChanges(1)).toEqual({ leaders: [], followers: [], deletes: [] });
  });

  it('ignores a topic created and removed within the same delta', () => {
    const delta = new MetadataDelta(baseImage());
    const brief = topicIdFor(5);
    delta.replay({ type: 'topic', name: 'brief', topicId: brief });
    delta.replay(partitionRecord(brief, 0, [1]));
    delta.replay({ type: 'removeTopic', topicId: brief });
    expect(delta.localChanges(1)).toEqual({ leaders: [], followers: [], deletes: [] });
    expect(delta.apply({ offset: 99, epoch: 1 }).topics.byName.has('brief')).toBe(false);
  });
});

describe('snapshots', () => {
  it('round-trip to an equal image with an equal hash', () => {
    const image = replayed(baseImage(), [
      { type: 'fenceBroker', nodeId: 3 },
      { type: 'producerIdsBlock', brokerId: 1, firstProducerId: 0, size: 1000 },
      {
        type: 'config',
        resourceType: 'broker',
        resourceName: '1',
        key: 'log.retention.hours',
        value: '1',
      },
    ]);
    const decoded = decodeSnapshot(encodeSnapshot(image));
    expect(decoded).toEqual(image);
    expect(imageHash(decoded)).toBe(imageHash(image));
  });

  it('hash the same state the same way whatever order built it', () => {
    const a = replayed(emptyImage, [registerBroker(1), registerBroker(2)]);
    const b = replayed(emptyImage, [registerBroker(2), registerBroker(1)]);
    expect(imageHash(a)).toBe(imageHash(b));
    expect(imageHash(a)).not.toBe(imageHash(replayed(a, [{ type: 'fenceBroker', nodeId: 1 }])));
  });

  it('present a snapshot load as a delta from the previous image', () => {
    const before = baseImage();
    const target = replayed(before, [
      { type: 'removeTopic', topicId: payments },
      {
        type: 'partitionChange',
        topicId: orders,
        partition: 0,
        leader: 3,
        isr: [3],
        replicas: null,
      },
    ]);
    const snapshot = decodeSnapshot(encodeSnapshot(target));
    const delta = MetadataDelta.fromSnapshot(before, snapshot);
    expect(delta.apply(snapshot.provenance)).toEqual(target);
    const changes = delta.localChanges(3);
    expect(changes.leaders.map((r) => `${r.topicName}/${r.partition}@${r.leaderEpoch}`)).toEqual([
      'orders/0@1',
    ]);
    expect(changes.followers).toEqual([]);
    expect(changes.deletes).toEqual([{ topicName: 'payments', topicId: payments, partition: 0 }]);
  });
});

describe('replaying committed entries', () => {
  it('reaches the image a snapshot of it decodes to (I10)', () => {
    const topicId = topicIdFor(3);
    const payloads = [
      Buffer.alloc(0),
      encodeEntryPayload([registerBroker(1), registerBroker(2)]),
      encodeEntryPayload([
        { type: 'topic', name: 't', topicId },
        partitionRecord(topicId, 0, [2, 1]),
      ]),
    ];
    const delta = new MetadataDelta(emptyImage);
    for (const payload of payloads)
      for (const record of decodeEntryPayload(payload)) delta.replay(record);
    const replayedImage = delta.apply({ offset: 2, epoch: 1 });
    const loaded = MetadataDelta.fromSnapshot(
      emptyImage,
      decodeSnapshot(encodeSnapshot(replayedImage)),
    );
    expect(loaded.apply(replayedImage.provenance)).toEqual(replayedImage);
    expect(loaded.localChanges(1).followers.map((r) => r.partition)).toEqual([0]);
    expect(delta.localChanges(2).leaders.map((r) => r.topicName)).toEqual(['t']);
  });
});
