import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { BatchPlacement, ProducerEntry } from './producer-state.js';

/**
 * Producer state snapshots beside a partition's segments: `<offset>.snapshot` holds the
 * state of every producer as of that log offset (Kafka keeps its `.snapshot` files the same
 * way). Layout, big-endian: version int16, crc32 uint32 of what follows, producer count
 * int32, then per producer: id int64, epoch int16, last timestamp int64, batch count int8,
 * and per batch: first and last sequence int32, first and last offset int64.
 */
const formatVersion = 1;
const headerBytes = 2 + 4 + 4;
const producerBytes = 8 + 2 + 8 + 1;
const batchBytes = 4 + 4 + 8 + 8;
const suffix = '.snapshot';

export function producerSnapshotName(offset: number): string {
  return `${String(offset).padStart(20, '0')}${suffix}`;
}

export function encodeProducerSnapshot(entries: readonly ProducerEntry[]): Buffer {
  let size = headerBytes;
  for (const entry of entries) size += producerBytes + entry.batches.length * batchBytes;
  const buf = Buffer.alloc(size);
  buf.writeInt16BE(formatVersion, 0);
  buf.writeInt32BE(entries.length, 6);
  let pos = headerBytes;
  for (const entry of entries) {
    buf.writeBigInt64BE(BigInt(entry.producerId), pos);
    buf.writeInt16BE(entry.producerEpoch, pos + 8);
    buf.writeBigInt64BE(BigInt(entry.lastTimestamp), pos + 10);
    buf.writeInt8(entry.batches.length, pos + 18);
    pos += producerBytes;
    for (const batch of entry.batches) {
      buf.writeInt32BE(batch.firstSeq, pos);
      buf.writeInt32BE(batch.lastSeq, pos + 4);
      buf.writeBigInt64BE(BigInt(batch.firstOffset), pos + 8);
      buf.writeBigInt64BE(BigInt(batch.lastOffset), pos + 16);
      pos += batchBytes;
    }
  }
  buf.writeUInt32BE(crc32(buf.subarray(6)), 2);
  return buf;
}

/** The entries, or null when the bytes are not a whole snapshot of a version we know. */
export function decodeProducerSnapshot(buf: Buffer): ProducerEntry[] | null {
  if (buf.length < headerBytes || buf.readInt16BE(0) !== formatVersion) return null;
  if (buf.readUInt32BE(2) !== crc32(buf.subarray(6))) return null;
  const count = buf.readInt32BE(6);
  const entries: ProducerEntry[] = [];
  let pos = headerBytes;
  for (let i = 0; i < count; i++) {
    if (pos + producerBytes > buf.length) return null;
    const batchCount = buf.readInt8(pos + 18);
    const end = pos + producerBytes + batchCount * batchBytes;
    if (batchCount < 0 || end > buf.length) return null;
    const batches: BatchPlacement[] = [];
    for (let at = pos + producerBytes; at < end; at += batchBytes) {
      batches.push({
        firstSeq: buf.readInt32BE(at),
        lastSeq: buf.readInt32BE(at + 4),
        firstOffset: Number(buf.readBigInt64BE(at + 8)),
        lastOffset: Number(buf.readBigInt64BE(at + 16)),
      });
    }
    entries.push({
      producerId: Number(buf.readBigInt64BE(pos)),
      producerEpoch: buf.readInt16BE(pos + 8),
      lastTimestamp: Number(buf.readBigInt64BE(pos + 10)),
      batches,
    });
    pos = end;
  }
  return pos === buf.length ? entries : null;
}

/** Offsets of the snapshots in `dir`, ascending. */
export function listProducerSnapshots(dir: string): number[] {
  const offsets: number[] = [];
  for (const name of readdirSync(dir)) {
    const match = /^(\d{20})\.snapshot$/.exec(name);
    if (match !== null) offsets.push(Number(match[1]));
  }
  return offsets.sort((a, b) => a - b);
}

/** Writes, syncs and renames into place, so a crash leaves the old file set or the new one. */
export function writeProducerSnapshot(dir: string, offset: number, entries: readonly ProducerEntry[]): void {
  const path = join(dir, producerSnapshotName(offset));
  // Ends in .tmp: the log loader removes leftovers of a write a crash interrupted.
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, encodeProducerSnapshot(entries));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  syncDirectory(dir);
}

/** The snapshot at `offset`, or null when it is missing or damaged. */
export function readProducerSnapshot(dir: string, offset: number): ProducerEntry[] | null {
  let buf: Buffer;
  try {
    buf = readFileSync(join(dir, producerSnapshotName(offset)));
  } catch {
    return null;
  }
  return decodeProducerSnapshot(buf);
}

/**
 * Removes the snapshots `doomed` selects, and makes the removal durable: a snapshot above a
 * truncation point must not come back after a crash to describe batches the log replaced.
 */
export function deleteProducerSnapshots(dir: string, doomed: (offset: number) => boolean): void {
  let removed = false;
  for (const offset of listProducerSnapshots(dir)) {
    if (!doomed(offset)) continue;
    rmSync(join(dir, producerSnapshotName(offset)), { force: true });
    removed = true;
  }
  if (removed) syncDirectory(dir);
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
