/** How Kafka answers a request whose records could not be appended to __consumer_offsets. */
import { ErrorCode } from '@rill/protocol';

/** How Kafka answers a commit whose append failed (GroupMetadataManager.storeOffsets). */
export function commitError(appendError: number): number {
  switch (appendError) {
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    default:
      return coordinatorMovedError(appendError) ?? appendError;
  }
}

/** How Kafka answers a SyncGroup whose assignment could not be stored (storeGroup). */
export function storeGroupError(appendError: number): number {
  if (appendError === ErrorCode.REQUEST_TIMED_OUT) return ErrorCode.REBALANCE_IN_PROGRESS;
  return coordinatorMovedError(appendError) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
}

/**
 * Append errors both answers map alike: the offsets partition is unavailable here or led
 * elsewhere, so the client should look for its coordinator again. Null for any other error.
 */
function coordinatorMovedError(appendError: number): number | null {
  switch (appendError) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    default:
      return null;
  }
}
