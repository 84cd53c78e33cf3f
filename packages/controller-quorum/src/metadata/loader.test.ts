import { describe, expect, it } from 'vitest';
import { imageHash } from './image-hash.js';
import { MetadataLoader, type MetadataUpdate } from './loader.js';
import { encodeEntryPayload } from './record-codec.js';
import { encodeSnapshot } from './snapshot.js';
import { partitionRecord, registerBroker, topicIdFor } from './testing/fixtures.js';

const topicId = topicIdFor(1);
const entries = [
  { offset: 0, epoch: 1, payload: Buffer.alloc(0) },
  { offset: 1, epoch: 1, payload: encodeEntryPayload([registerBroker(1), registerBroker(2)]) },
  {
    offset: 2,
    epoch: 1,
    payload: encodeEntryPayload([
      { type: 'topic', name: 't', topicId },
      partitionRecord(topicId, 0, [2, 1]),
    ]),
  },
];

describe('MetadataLoader', () => {
  it('publishes one update per batch of committed entries, at the last entry', () => {
    const loader = new MetadataLoader();
    const updates: MetadataUpdate[] = [];
    loader.subscribe((update) => updates.push(update));
    loader.apply(entries);
    expect(updates).toHaveLength(1);
    expect(updates[0].source).toBe('log');
    expect(loader.image.provenance).toEqual({ offset: 2, epoch: 1 });
    expect(updates[0].delta.localChanges(2).leaders.map((r) => r.topicName)).toEqual(['t']);
  });

  it('loads a snapshot as a delta and reaches the same image as replay (I10)', () => {
    const replaying = new MetadataLoader();
    replaying.apply(entries);
    const snapshot = { lastOffset: 2, lastEpoch: 1, data: encodeSnapshot(replaying.image) };
    const fresh = new MetadataLoader();
    const updates: MetadataUpdate[] = [];
    fresh.subscribe((update) => updates.push(update));
    fresh.loadSnapshot(snapshot);
    expect(updates[0].source).toBe('snapshot');
    expect(updates[0].delta.localChanges(1).followers.map((r) => r.partition)).toEqual([0]);
    expect(fresh.image).toEqual(replaying.image);
    expect(imageHash(fresh.image)).toBe(imageHash(replaying.image));
  });
});
