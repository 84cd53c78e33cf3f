import { isBrokerLive, type MetadataImage, type PartitionRegistration } from '../metadata/image.js';
import type { PartitionChangeRecord } from '../metadata/records.js';
import { ErrorCode as Code } from '@rill/protocol';
import { partitionChange } from './partition-records.js';
import type { ControllerResult } from './result.js';

/** One partition's ISR change, sent by its leader with the state it last saw. */
export interface AlterPartitionItem {
  readonly topicId: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsr: readonly number[];
  /**
   * The registration each member's fetches came from (KIP-903); when given, a joining member
   * registered since under another incarnation — it restarted, and may have lost part of
   * its log — is refused with INELIGIBLE_REPLICA.
   */
  readonly newIsrIncarnations?: readonly { readonly brokerId: number; readonly incarnationId: string }[];
}

export interface AlterPartitionRequest {
  readonly brokerId: number;
  /** The sender's registration: one from before the broker restarted is refused. */
  readonly incarnationId: string;
  readonly partitions: readonly AlterPartitionItem[];
}

/** The partition's state after the change (or as it stands, when refused). */
export interface AlterPartitionOutcome {
  readonly topicId: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly partitionEpoch: number;
}

/**
 * AlterPartition: a leader shrinks or expands its ISR. Accepted only from the current
 * leader, at the current leader epoch and partition epoch — a leader that missed a change
 * must learn it first, or it could re-add a replica the controller just removed (I10).
 * Replicas joining the ISR must be live: a fenced broker may not count towards acks=all.
 * A sender whose incarnation is not the registered one (a request from before it restarted,
 * or from a broker the controller no longer knows) gets STALE_BROKER_EPOCH for every item,
 * as Kafka answers a stale broker epoch.
 */
export function alterPartition(
  image: MetadataImage,
  request: AlterPartitionRequest,
): ControllerResult<AlterPartitionOutcome[]> {
  const records: PartitionChangeRecord[] = [];
  const response: AlterPartitionOutcome[] = [];
  const seen = new Set<string>();
  const registered = image.cluster.brokers.get(request.brokerId);
  const stale = registered?.incarnationId !== request.incarnationId;
  for (const item of request.partitions) {
    const key = `${item.topicId}/${item.partition}`;
    const current = image.topics.byId.get(item.topicId)?.partitions.get(item.partition);
    const errorCode = stale
      ? Code.STALE_BROKER_EPOCH
      : seen.has(key)
        ? Code.INVALID_REQUEST
        : refusal(image, request.brokerId, item, current);
    seen.add(key);
    if (current === undefined || errorCode !== Code.NONE) {
      response.push(outcome(item, errorCode, current));
      continue;
    }
    const record = partitionChange(item.topicId, item.partition, current, {
      leader: current.leader,
      isr: item.newIsr,
    });
    if (record !== null) records.push(record);
    const next =
      record === null
        ? current
        : { ...current, isr: item.newIsr, partitionEpoch: current.partitionEpoch + 1 };
    response.push(outcome(item, Code.NONE, next));
  }
  return { records, response };
}

/** The error code for an item, checked in Kafka's order; NONE when it may be applied. */
function refusal(
  image: MetadataImage,
  brokerId: number,
  item: AlterPartitionItem,
  current: PartitionRegistration | undefined,
): number {
  if (!image.topics.byId.has(item.topicId)) return Code.UNKNOWN_TOPIC_ID;
  if (current === undefined) return Code.UNKNOWN_TOPIC_OR_PARTITION;
  if (item.leaderEpoch < current.leaderEpoch) return Code.FENCED_LEADER_EPOCH;
  if (brokerId !== current.leader) return Code.INVALID_REQUEST;
  // A leader ahead of us means this controller's image is behind: let it retry elsewhere.
  if (item.leaderEpoch > current.leaderEpoch) return Code.NOT_CONTROLLER;
  if (item.partitionEpoch !== current.partitionEpoch) return Code.INVALID_UPDATE_VERSION;
  return isrProblem(image, current, item);
}

function isrProblem(
  image: MetadataImage,
  current: PartitionRegistration,
  item: AlterPartitionItem,
): number {
  const { newIsr } = item;
  if (!newIsr.includes(current.leader)) return Code.INVALID_REQUEST;
  if (new Set(newIsr).size !== newIsr.length) return Code.INVALID_REQUEST;
  if (!newIsr.every((member) => current.replicas.includes(member))) return Code.INVALID_REQUEST;
  const joining = newIsr.filter((member) => !current.isr.includes(member));
  if (!joining.every((member) => isBrokerLive(image.cluster, member)))
    return Code.INELIGIBLE_REPLICA;
  const incarnations = item.newIsrIncarnations ?? [];
  if (incarnations.length > 0) {
    const seenAs = new Map(incarnations.map((m) => [m.brokerId, m.incarnationId]));
    const restarted = (member: number): boolean =>
      seenAs.get(member) !== image.cluster.brokers.get(member)?.incarnationId;
    if (joining.some(restarted)) return Code.INELIGIBLE_REPLICA;
  }
  return Code.NONE;
}

function outcome(
  item: AlterPartitionItem,
  errorCode: number,
  state: PartitionRegistration | undefined,
): AlterPartitionOutcome {
  return {
    topicId: item.topicId,
    partition: item.partition,
    errorCode,
    leader: state?.leader ?? -1,
    leaderEpoch: state?.leaderEpoch ?? -1,
    isr: state?.isr ?? [],
    partitionEpoch: state?.partitionEpoch ?? -1,
  };
}
