/**
 * File primitives. Appends and reads use synchronous positioned I/O on an open fd: they hit
 * the page cache and take microseconds, so a promise per call would cost more than the
 * syscall. Everything that waits for the disk (fsync, fdatasync) goes through the callback
 * API wrapped in a promise, so it runs on libuv's pool and never blocks the event loop.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StorageError, storageErrorFrom } from './errors.js';

export function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.fdatasync(fd, (error) => (error ? reject(error) : resolve()));
  });
}

/** Makes creations, renames and unlinks in `dir` durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

let temporaryCounter = 0;

/**
 * Replaces `file` so that a crash leaves either the old or the new content, never a mix:
 * write a temp file, fsync it, rename over the target, fsync the directory (the rename is
 * only durable once the directory is). Exported for the broker's own checkpoints.
 */
export async function writeFileAtomic(file: string, data: Buffer | string): Promise<void> {
  temporaryCounter += 1;
  const temporary = `${file}.${process.pid}.${temporaryCounter}.tmp`;
  try {
    const handle = await fs.promises.open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temporary, file);
    await fsyncDirectory(path.dirname(file));
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    throw storageErrorFrom(error, `writeFileAtomic ${file}`);
  }
}

/** Reads exactly buf.length bytes at `position`, or fewer only at end of file. */
export function readAt(fd: number, buf: Buffer, position: number, length = buf.length): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Like readAt, but a short read means the file changed under us: an I/O error. */
export function readExactlyAt(fd: number, buf: Buffer, position: number, length: number): void {
  const n = readAt(fd, buf, position, length);
  if (n !== length) {
    throw new StorageError('io', `short read: ${n} of ${length} bytes at ${position}`);
  }
}
