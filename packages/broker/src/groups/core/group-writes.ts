/** The records a group writes to __consumer_offsets: its metadata with an assignment, and tombstones. */
import type { Now } from '../core-types.js';
import { encodeGroupRecord, type EncodedRecord, type GroupMetadataValue } from '../group-records.js';
import { emptyBytes, topicPartitionKey, type Group } from '../group.js';

/** The group as it stands, with `assignment` as each member's (members it leaves out get none). */
export function groupMetadataRecord(group: Group, assignment: ReadonlyMap<string, Buffer>, at: Now): EncodedRecord {
  const protocolName = group.protocolName;
  const value: GroupMetadataValue = {
    protocolType: group.protocolType ?? '',
    generationId: group.generationId,
    protocolName,
    leaderId: group.leaderId,
    currentStateTimestampMs: group.stateTimestampWallMs ?? at.wallMs,
    members:
      protocolName === null
        ? []
        : [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            rebalanceTimeoutMs: m.rebalanceTimeoutMs,
            sessionTimeoutMs: m.sessionTimeoutMs,
            subscription: m.metadataFor(protocolName),
            assignment: assignment.get(m.memberId) ?? emptyBytes,
          })),
  };
  return encodeGroupRecord({ kind: 'group', groupId: group.groupId, value });
}

/** The group's tombstone first, then one per offset key. */
export function tombstones(group: Group, keys: readonly [string, number][]): EncodedRecord[] {
  return [groupTombstone(group), ...offsetTombstones(group, keys)];
}

export function offsetTombstones(group: Group, keys: readonly [string, number][]): EncodedRecord[] {
  return keys.map(([topic, partition]) => encodeGroupRecord({ kind: 'offset', groupId: group.groupId, topic, partition, value: null }));
}

function groupTombstone(group: Group): EncodedRecord {
  return encodeGroupRecord({ kind: 'group', groupId: group.groupId, value: null });
}

/** Every committed and in-flight offset key of a group, for its tombstones. */
export function allOffsetKeys(group: Group): [string, number][] {
  const keys = new Map<string, [string, number]>();
  for (const [topic, byPartition] of group.offsets) {
    for (const partition of byPartition.keys()) keys.set(topicPartitionKey(topic, partition), [topic, partition]);
  }
  for (const key of group.pendingCommits.keys()) {
    const colon = key.indexOf(':');
    const partition = Number(key.slice(0, colon));
    keys.set(key, [key.slice(colon + 1), partition]);
  }
  return [...keys.values()];
}
