import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';

/**
 * The history of a chaos run: every operation a client invoked and how it ended, every read,
 * every fault and heal, and the final state, as JSON lines. The checker reads nothing else,
 * so a kept history replays the verdict exactly (`pnpm chaos --check <dir>`).
 */

/** A record as sent: its id and a digest of key, value, headers and timestamp together. */
export interface SentRecord {
  readonly id: string;
  readonly digest: string;
}

/** A record as read back at an offset. */
export interface ReadRecord {
  readonly offset: number;
  /** The record's id (its key), or null when the key is not one of ours. */
  readonly id: string | null;
  readonly digest: string;
}

export type Op =
  /** A producer sends records (in this order) to a partition. */
  | { type: 'send'; t: number; proc: string; partition: number; records: readonly SentRecord[] }
  /** The send was acknowledged (acks=all): record i landed at offsets[i]. */
  | { type: 'ack'; t: number; proc: string; partition: number; ids: readonly string[]; offsets: readonly number[] }
  /** The send failed: definitely not written (`definite`), or perhaps written. */
  | { type: 'fail'; t: number; proc: string; partition: number; ids: readonly string[]; definite: boolean; error: string }
  /**
   * A consumer read `records` from `partition`, starting at offset `from`. `session` changes
   * when it may legitimately start over (a new assignment, a failed commit). Consumers of one
   * `group` share their reads: together they must see every acknowledged record.
   */
  | { type: 'poll'; t: number; proc: string; group?: string; session: number; partition: number; from: number; records: readonly ReadRecord[] }
  /** A read that returned damaged bytes (a batch failing its CRC). */
  | { type: 'read-problem'; t: number; proc: string; partition: number; detail: string }
  /** A group consumer's commit of `offset` for `partition`, acknowledged or refused. */
  | { type: 'commit'; t0: number; t: number; proc: string; group: string; partition: number; offset: number; ok: boolean; error?: string }
  /** What OffsetFetch answered for a group's partition (-1: nothing committed). */
  | { type: 'committed'; t0: number; t: number; group: string; partition: number; offset: number }
  | { type: 'fault'; t: number; cycle: number; kind: string; detail: string }
  | { type: 'heal'; t: number; cycle: number; kind: string; detail: string }
  /**
   * Timings of one cycle (ms): failover after the fault; after the heal, until the cluster is
   * whole and writable (`heal`) and until the group consumes every partition again (`consumers`).
   */
  | { type: 'measure'; t: number; cycle: number; kind: string; name: 'failover' | 'controller-failover' | 'heal' | 'consumers'; ms: number | null; budgetMs: number }
  /** A node process ended without the nemesis asking for it. */
  | { type: 'crash'; t: number; node: number; exit: string; expected: boolean }
  /** The final read of a partition, from its leader, up to the high watermark. */
  | { type: 'final'; t: number; partition: number; logStartOffset: number; highWatermark: number; records: readonly ReadRecord[]; problems: readonly string[] }
  /** I4: how the replicas' bytes below the high watermark compared. */
  | { type: 'replicas'; t: number; partition: number; highWatermark: number; problems: readonly string[] }
  | { type: 'meta'; t: number; seed: number; cycles: number; topic: string; partitions: number; network: string; properties: Record<string, unknown> };

export class History {
  readonly ops: Op[] = [];
  readonly #file: WriteStream | null;

  constructor(path: string | null = null) {
    this.#file = path === null ? null : createWriteStream(path, { flags: 'a' });
  }

  add(op: Op): void {
    this.ops.push(op);
    this.#file?.write(`${JSON.stringify(op)}\n`);
  }

  async close(): Promise<void> {
    const file = this.#file;
    if (file === null) return;
    await new Promise<void>((resolve) => file.end(() => resolve()));
  }

  static load(path: string): Op[] {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Op);
  }
}

/** The digest that stands for a record's bytes: key, value, headers and timestamp. */
export function recordDigest(record: {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: readonly { key: string; value: Buffer | string | null }[];
  timestamp: number;
}): string {
  const hash = createHash('sha256');
  const part = (bytes: Buffer | string | null): void => {
    if (bytes === null) {
      hash.update('\u0000null');
      return;
    }
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    hash.update(`${buffer.length}:`);
    hash.update(buffer);
  };
  part(record.key);
  part(record.value);
  hash.update(`h${record.headers.length}:`);
  for (const header of record.headers) {
    part(header.key);
    part(header.value);
  }
  hash.update(`t${record.timestamp}`);
  return hash.digest('hex').slice(0, 16);
}

/** Record ids are `<proc>.<partition>.<seq>`: unique over the whole run. */
export function recordId(proc: string, partition: number, seq: number): string {
  return `${proc}.${partition}.${seq}`;
}

export function parseRecordId(id: string): { proc: string; partition: number; seq: number } | null {
  const match = /^([a-z0-9-]+)\.(\d+)\.(\d+)$/.exec(id);
  if (match === null) return null;
  return { proc: match[1]!, partition: Number(match[2]), seq: Number(match[3]) };
}

/** The bytes a producer sends for record `id` at `timestamp`: the value carries a hash of the id. */
export function recordContent(id: string, timestamp: number): { key: string; value: string; headers: { key: string; value: string }[]; timestamp: number } {
  const check = createHash('sha256').update(id).digest('hex').slice(0, 24);
  return { key: id, value: `${id} ${check} ${'.'.repeat(48)}`, headers: [{ key: 'id', value: id }], timestamp };
}
