import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RaftStore } from './raft-store.js';

const entry = (offset: number, epoch: number) => ({ offset, epoch, payload: Buffer.from(`entry-${offset}`) });

describe('RaftStore', () => {
  const dirs: string[] = [];
  const freshDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'rill-raft-store-'));
    dirs.push(dir);
    return dir;
  };

  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the vote, the log and the snapshot across a reopen', async () => {
    const dir = await freshDir();
    const store = await RaftStore.open(dir);
    expect(await store.load()).toEqual({ hardState: null, snapshot: null, entries: [] });
    await store.write({ hardState: { epoch: 3, votedFor: 2 }, truncateFrom: null, snapshot: null, entries: [entry(0, 1), entry(1, 3)] });
    await store.close();
    const reopened = await RaftStore.open(dir);
    expect(await reopened.load()).toEqual({ hardState: { epoch: 3, votedFor: 2 }, snapshot: null, entries: [entry(0, 1), entry(1, 3)] });
    await reopened.close();
  });

  it('truncates a divergent tail before appending in the same write', async () => {
    const store = await RaftStore.open(await freshDir());
    await store.write({ hardState: null, truncateFrom: null, snapshot: null, entries: [0, 1, 2, 3].map((o) => entry(o, 1)) });
    await store.write({ hardState: null, truncateFrom: 2, snapshot: null, entries: [entry(2, 2)] });
    expect((await store.load()).entries).toEqual([entry(0, 1), entry(1, 1), entry(2, 2)]);
    await store.close();
  });

  it('drops entries covered by a snapshot and keeps the ones after it', async () => {
    const store = await RaftStore.open(await freshDir());
    await store.write({ hardState: null, truncateFrom: null, snapshot: null, entries: [0, 1, 2, 3, 4].map((o) => entry(o, 1)) });
    const snapshot = { lastOffset: 2, lastEpoch: 1, data: Buffer.from('image') };
    await store.write({ hardState: null, truncateFrom: null, snapshot, entries: [] });
    expect(await store.load()).toEqual({ hardState: null, snapshot, entries: [entry(3, 1), entry(4, 1)] });
    await store.close();
  });

  it('orders offsets numerically, not as text', async () => {
    const store = await RaftStore.open(await freshDir());
    const entries = [9, 10, 11, 100].map((o) => entry(o, 1));
    await store.write({ hardState: null, truncateFrom: null, snapshot: null, entries });
    expect((await store.load()).entries.map((e) => e.offset)).toEqual([9, 10, 11, 100]);
    await store.close();
  });
});
