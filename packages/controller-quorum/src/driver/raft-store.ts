import { Level } from 'level';

/** What the Raft core needs persisted: its vote, its log, its latest snapshot. */
export interface StoredHardState {
  readonly epoch: number;
  readonly votedFor: number | null;
}

export interface StoredEntry {
  readonly offset: number;
  readonly epoch: number;
  readonly payload: Buffer;
}

export interface StoredSnapshot {
  readonly lastOffset: number;
  readonly lastEpoch: number;
  readonly data: Buffer;
}

export interface StoredRaftState {
  readonly hardState: StoredHardState | null;
  readonly snapshot: StoredSnapshot | null;
  readonly entries: StoredEntry[];
}

/** One atomic, synced write: everything the core asked to persist in one step. */
export interface RaftWrite {
  readonly hardState: StoredHardState | null;
  /** Delete entries with offset >= this first (a follower's divergent tail). */
  readonly truncateFrom: number | null;
  readonly entries: readonly StoredEntry[];
  /** A snapshot that replaces every entry at or below its last offset. */
  readonly snapshot: StoredSnapshot | null;
}

const hardStateKey = 'hard-state';
const snapshotKey = 'snapshot';
const entryPrefix = 'entry/';
const offsetDigits = 16;

function entryKey(offset: number): string {
  return entryPrefix + String(offset).padStart(offsetDigits, '0');
}

/**
 * The Raft log, vote and snapshot in LevelDB. Every write is one batch with sync, so it is
 * on disk before the driver sends a message that depends on it (KIP-595; etcd's Ready
 * contract): a restarted node never forgets a vote it cast or an entry it acknowledged.
 */
export class RaftStore {
  readonly #db: Level<string, Buffer>;

  private constructor(db: Level<string, Buffer>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<RaftStore> {
    const db = new Level<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await db.open();
    return new RaftStore(db);
  }

  async load(): Promise<StoredRaftState> {
    const hardState = await this.#db.get(hardStateKey);
    const snapshot = await this.#db.get(snapshotKey);
    const entries: StoredEntry[] = [];
    for await (const [key, value] of this.#db.iterator({ gte: entryPrefix, lt: entryPrefix + '~' })) {
      entries.push(decodeEntry(Number(key.slice(entryPrefix.length)), value));
    }
    return {
      hardState: hardState === undefined ? null : (JSON.parse(hardState.toString()) as StoredHardState),
      snapshot: snapshot === undefined ? null : decodeSnapshot(snapshot),
      entries,
    };
  }

  async write(write: RaftWrite): Promise<void> {
    const batch = this.#db.batch();
    if (write.hardState !== null) batch.put(hardStateKey, Buffer.from(JSON.stringify(write.hardState)));
    if (write.snapshot !== null) {
      batch.put(snapshotKey, encodeSnapshot(write.snapshot));
      await this.#deleteRange(batch, 0, write.snapshot.lastOffset + 1);
    }
    if (write.truncateFrom !== null) await this.#deleteRange(batch, write.truncateFrom, Number.MAX_SAFE_INTEGER);
    for (const entry of write.entries) batch.put(entryKey(entry.offset), encodeEntry(entry));
    await batch.write({ sync: true });
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  async #deleteRange(batch: ReturnType<Level<string, Buffer>['batch']>, from: number, to: number): Promise<void> {
    const upper = to >= Number.MAX_SAFE_INTEGER ? entryPrefix + '~' : entryKey(to);
    for await (const key of this.#db.keys({ gte: entryKey(from), lt: upper })) batch.del(key);
  }
}

function encodeEntry(entry: StoredEntry): Buffer {
  const header = Buffer.alloc(4);
  header.writeInt32BE(entry.epoch);
  return Buffer.concat([header, entry.payload]);
}

function decodeEntry(offset: number, value: Buffer): StoredEntry {
  return { offset, epoch: value.readInt32BE(0), payload: value.subarray(4) };
}

function encodeSnapshot(snapshot: StoredSnapshot): Buffer {
  const header = Buffer.alloc(10);
  header.writeUIntBE(snapshot.lastOffset, 0, 6);
  header.writeInt32BE(snapshot.lastEpoch, 6);
  return Buffer.concat([header, snapshot.data]);
}

function decodeSnapshot(value: Buffer): StoredSnapshot {
  return { lastOffset: value.readUIntBE(0, 6), lastEpoch: value.readInt32BE(6), data: value.subarray(10) };
}
