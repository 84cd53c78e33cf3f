/** The answers Kafka gives when a commit or an assignment could not be appended, error by error. */
import { ErrorCode } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import { commitError, storeGroupError } from './append-errors.js';

/** Both answer these alike: the client should look for its coordinator again. */
const coordinatorMoved: [appendError: number, answer: number][] = [
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  [ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  [ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_COORDINATOR],
  [ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.NOT_COORDINATOR],
];

describe('append errors', () => {
  it.each<[number, number]>([
    ...coordinatorMoved,
    [ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.INVALID_COMMIT_OFFSET_SIZE],
    [ErrorCode.RECORD_LIST_TOO_LARGE, ErrorCode.INVALID_COMMIT_OFFSET_SIZE],
    [ErrorCode.INVALID_FETCH_SIZE, ErrorCode.INVALID_COMMIT_OFFSET_SIZE],
    [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.REQUEST_TIMED_OUT],
  ])('a commit whose append failed with %i is answered %i', (appendError, answer) => {
    expect(commitError(appendError)).toBe(answer);
  });

  it.each<[number, number]>([
    ...coordinatorMoved,
    [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.REBALANCE_IN_PROGRESS],
    [ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.UNKNOWN_SERVER_ERROR],
  ])('an assignment whose append failed with %i is answered %i', (appendError, answer) => {
    expect(storeGroupError(appendError)).toBe(answer);
  });
});
