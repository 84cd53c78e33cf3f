/** What the core does once the driver reports how an append to __consumer_offsets went. */
import { ErrorCode } from '@rill/protocol';
import type { Now } from '../core-types.js';
import type { CoordinatorState } from './core-state.js';
import { deleteAppended } from './delete-groups.js';
import { commitAppended } from './offset-commit.js';
import type { Continuation } from './outbox.js';
import { assignmentAppended } from './sync-group.js';

/** The outcome of an append: NONE once acks=all holds, else the partition's error. */
export function appended(state: CoordinatorState, appendId: number, errorCode: number, at: Now): void {
  const continuation = state.outbox.take(appendId);
  if (continuation === undefined) return;
  settle(state, continuation, errorCode, at);
}

/** `at` null: the partition was unloaded, nothing may change but the answers. */
export function settle(state: CoordinatorState, continuation: Continuation, errorCode: number, at: Now | null): void {
  switch (continuation.kind) {
    case 'assignment':
      if (at !== null) assignmentAppended(state, continuation, errorCode, at);
      return;
    case 'commit':
      return commitAppended(state, continuation, errorCode);
    case 'delete':
      return deleteAppended(state, continuation, errorCode);
    case 'background':
      if (errorCode !== ErrorCode.NONE) state.options.trace?.(`background write to offsets partition ${continuation.partition} failed: ${errorCode}`);
      return;
  }
}
