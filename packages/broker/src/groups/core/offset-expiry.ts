/** Offset retention (offsets.retention.minutes): expired offsets get tombstones, and an Empty group left without any is deleted. */
import type { Now } from '../core-types.js';
import { subscribedTopicsOf, type EncodedRecord, type OffsetCommitValue } from '../group-records.js';
import { topicPartitionKey, type Group } from '../group.js';
import type { CoordinatorState } from './core-state.js';
import { offsetTombstones, tombstones } from './group-writes.js';

const consumerProtocolType = 'consumer';

/**
 * Kafka's offset expiry: offsets of an Empty group expire that long after it became empty;
 * a group that only stores offsets and a stable consumer group's offsets for topics it no
 * longer subscribes to, that long after their commit; a commit with its own retention time
 * (OffsetCommit v2–4) at that time. An Empty group left without offsets is deleted.
 */
export function expireOffsets(state: CoordinatorState, at: Now): void {
  const byPartition = new Map<number, EncodedRecord[]>();
  for (const group of [...state.groups.values()]) {
    if (state.shards.get(group.partition)?.status !== 'active') continue;
    const expired = expiredOffsets(state, group, at);
    for (const [topic, partition] of expired) group.setOffset(topic, partition, null);
    let records = offsetTombstones(group, expired);
    if (group.state === 'Empty' && !group.hasOffsets && group.pendingMembers.size === 0) {
      records = tombstones(group, expired);
      group.transitionTo('Dead', at.wallMs);
      state.dropGroup(group, 'empty without offsets');
    }
    if (records.length === 0) continue;
    const list = byPartition.get(group.partition) ?? [];
    list.push(...records);
    byPartition.set(group.partition, list);
  }
  for (const [partition, records] of byPartition) state.append(partition, records, { kind: 'background', partition });
}

function expiredOffsets(state: CoordinatorState, group: Group, at: Now): [string, number][] {
  const retentionMs = state.options.offsetRetentionMs;
  let since: (value: OffsetCommitValue) => number;
  let keep: ReadonlySet<string> = new Set();
  if (group.protocolType !== null && group.state === 'Empty') {
    since = (value) => group.stateTimestampWallMs ?? value.commitTimestampMs;
  } else if (group.protocolType === null) {
    since = (value) => value.commitTimestampMs;
  } else if (group.protocolType === consumerProtocolType && group.state === 'Stable') {
    const subscribed = subscribedTopics(group);
    if (subscribed === null) return [];
    since = (value) => value.commitTimestampMs;
    keep = subscribed;
  } else {
    return [];
  }
  const expired: [string, number][] = [];
  for (const [topic, byPartition] of group.offsets) {
    if (keep.has(topic)) continue;
    for (const [partition, value] of byPartition) {
      if (group.pendingCommits.has(topicPartitionKey(topic, partition))) continue;
      const due = value.expireTimestampMs >= 0 ? at.wallMs >= value.expireTimestampMs : at.wallMs - since(value) >= retentionMs;
      if (due) expired.push([topic, partition]);
    }
  }
  return expired;
}

/** Every topic the members subscribe to; null if a member's subscription cannot be read. */
function subscribedTopics(group: Group): Set<string> | null {
  const topics = new Set<string>();
  for (const member of group.members.values()) {
    const subscribed = subscribedTopicsOf(member.metadataFor(group.protocolName!));
    if (subscribed === null) return null;
    for (const topic of subscribed) topics.add(topic);
  }
  return topics;
}
