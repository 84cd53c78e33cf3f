import { assert } from '@rill/base';
import { RillError } from '../errors.js';
import type { GroupContext } from '../admin/groups.js';
import { fetchCommittedOffsets } from '../admin/groups.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../cluster/list-offsets.js';
import type { OffsetReset } from './options.js';
import type { PartitionState } from './subscription-state.js';

export interface PositionContext {
  readonly group: GroupContext;
  readonly groupId: string | null;
  readonly autoOffsetReset: OffsetReset;
  readonly isolationLevel: 0 | 1;
}

/**
 * Gives every partition with a pending reset a fetch offset: the group's committed offset
 * first (when asked for), else auto.offset.reset, else an explicit earliest/latest/time.
 * A partition sought again meanwhile (epoch moved) is left alone.
 */
export async function resolvePositions(
  ctx: PositionContext,
  states: readonly PartitionState[],
): Promise<void> {
  const asked = states.map((state) => ({ state, epoch: state.epoch, pending: state.pending }));
  const fromCommit = asked.filter((a) => a.pending === 'committed');
  if (fromCommit.length > 0) await applyCommitted(ctx, fromCommit);
  const byTime = asked.filter(
    (a) => a.state.epoch === a.epoch && a.state.pending !== null && a.state.pending !== 'committed',
  );
  if (byTime.length === 0) return;
  const answers = await listOffsets(
    ctx.group.cluster,
    byTime.map(({ state }) => ({
      topic: state.topic,
      partition: state.partition,
      timestamp: timestampOf(state),
    })),
    ctx.isolationLevel,
  );
  byTime.forEach(({ state, epoch }, i) => {
    if (state.epoch !== epoch) return;
    // A time after the last record finds nothing (-1): start at the end, as Kafka tools do.
    const offset = answers[i]!.offset;
    if (offset < 0) state.pending = 'latest';
    else setPosition(state, offset);
  });
}

async function applyCommitted(
  ctx: PositionContext,
  asked: readonly { state: PartitionState; epoch: number }[],
): Promise<void> {
  const committed =
    ctx.groupId === null
      ? new Map<string, number>()
      : await fetchCommittedOffsets(
          ctx.group,
          ctx.groupId,
          asked.map(({ state }) => ({ topic: state.topic, partition: state.partition })),
        );
  for (const { state, epoch } of asked) {
    if (state.epoch !== epoch) continue;
    const offset = committed.get(`${state.topic}:${state.partition}`);
    if (offset !== undefined) {
      setPosition(state, offset);
      state.committedOffset = offset;
    } else if (ctx.autoOffsetReset === 'none') {
      throw new RillError(
        `${state.topic}[${state.partition}] has no committed offset and autoOffsetReset is 'none'`,
        { retriable: false },
      );
    } else {
      state.pending = ctx.autoOffsetReset;
    }
  }
}

function timestampOf(state: PartitionState): number {
  const pending = state.pending;
  if (pending === 'earliest') return EARLIEST_TIMESTAMP;
  if (pending === 'latest') return LATEST_TIMESTAMP;
  assert(
    pending !== null && typeof pending === 'object',
    `no timestamp for a ${String(pending)} reset`,
  );
  return pending.timestampMs;
}

function setPosition(state: PartitionState, offset: number): void {
  state.fetchOffset = offset;
  state.deliveredOffset = offset;
  state.processedOffset = offset;
  state.pending = null;
}
