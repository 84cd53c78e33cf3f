import { StorageError } from '@rill/storage';

/**
 * What the node logs before it stops because a periodic flush failed: what went wrong and
 * what the operator should do. A full disk is the common case and has its own remedy.
 */
export function flushFailureMessage(error: unknown, logDir: string): string {
  const stopping = 'stopping (writes since the last flush may be lost)';
  if (error instanceof StorageError && error.code === 'disk_full') {
    return `the disk holding ${logDir} is full, so a flush could not finish; ${stopping}. Free space there, then restart the node`;
  }
  return `flushing ${logDir} to disk failed; ${stopping}. Check the disk and the system log, then restart the node`;
}
