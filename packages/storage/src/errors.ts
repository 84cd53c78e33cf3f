/**
 * Errors that cross the storage boundary are typed: the broker maps `code` to a Kafka error
 * (disk_full / io / read_only → KAFKA_STORAGE_ERROR 56, record_too_large → 10/18).
 */
export type StorageErrorCode =
  | 'disk_full'
  | 'io'
  | 'read_only'
  | 'corrupt'
  | 'record_too_large'
  | 'invalid_config'
  | 'log_failed';

export class StorageError extends Error {
  override readonly name = 'StorageError';

  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Maps a Node system error to our codes; anything we do not recognise is plain `io`. */
export function storageErrorFrom(error: unknown, context: string): StorageError {
  if (error instanceof StorageError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${context}: ${detail}`;
  if (errno === 'ENOSPC' || errno === 'EDQUOT') {
    return new StorageError('disk_full', message, { cause: error });
  }
  if (errno === 'EROFS') return new StorageError('read_only', message, { cause: error });
  return new StorageError('io', message, { cause: error });
}
