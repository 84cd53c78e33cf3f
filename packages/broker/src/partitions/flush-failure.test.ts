import { describe, expect, it } from 'vitest';
import { StorageError } from '@rill/storage';
import { flushFailureMessage } from './flush-failure.js';

describe('flushFailureMessage', () => {
  it('says the disk is full, and to free space, when it is', () => {
    const error = new StorageError('disk_full', 'orders-0: flush: ENOSPC: no space left on device');
    expect(flushFailureMessage(error, '/data/orders-0')).toBe(
      'the disk holding /data/orders-0 is full, so a flush could not finish; stopping (writes since the last flush may be lost). Free space there, then restart the node',
    );
  });

  it('names the directory and what to check for any other failure', () => {
    const error = new StorageError('io', 'orders-0: flush: EIO: i/o error, fsync');
    expect(flushFailureMessage(error, '/data/orders-0')).toMatch(
      /^flushing \/data\/orders-0 to disk failed; .*Check the disk and the system log, then restart the node$/,
    );
  });
});
