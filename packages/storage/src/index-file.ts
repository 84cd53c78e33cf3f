/**
 * Persistence shared by the offset and time indexes. Index files are derived data: the
 * in-memory arrays are the truth while the log is open; files are written at flush, roll
 * and close (a few small writes instead of one per append), and are only trusted on open
 * for segments below the recovery point, after sanity checks.
 */
import fs from 'node:fs';

/** Writes `bytes` at `fromByte` and cuts the file right after them (drops stale entries). */
export function writeIndexTail(file: string, bytes: Buffer, fromByte: number): void {
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    let done = 0;
    while (done < bytes.length) {
      done += fs.writeSync(fd, bytes, done, bytes.length - done, fromByte + done);
    }
    fs.ftruncateSync(fd, fromByte + bytes.length);
  } finally {
    fs.closeSync(fd);
  }
}

/** fdatasync by path; a file already deleted (retention ran meanwhile) needs none. */
export async function syncIndexFile(file: string): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** The whole index file, or null when it is missing. */
export function readIndexFile(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
