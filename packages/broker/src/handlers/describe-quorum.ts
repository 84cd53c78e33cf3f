import { DescribeQuorum, ErrorCode, type DescribeQuorumResponseInput } from '@rill/protocol';
import type { QuorumStatus } from '../metadata/metadata-store.js';
import { defineHandler } from './handler.js';

type PartitionData = DescribeQuorumResponseInput['topics'][number]['partitions'][number];

/** The metadata log's partition: the only one DescribeQuorum knows. */
export const metadataTopic = '__cluster_metadata';

/**
 * DescribeQuorum v0–1 (flexible from v0; v1 adds the KIP-836 timestamps). As a Kafka broker
 * does, any broker forwards it to the active controller, which answers from its Raft core:
 * leader, epoch, high watermark, and each voter's and observer's log end offset, last fetch
 * and last caught-up time on the leader's clock. A request that is not exactly
 * `__cluster_metadata` partition 0 gets UNKNOWN_TOPIC_OR_PARTITION on every partition it
 * names; when no controller answers, NOT_LEADER_OR_FOLLOWER (retriable), as a Kafka
 * controller that is not the leader answers.
 */
export const describeQuorumHandler = defineHandler({
  schema: DescribeQuorum,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, context) {
    const partitions = request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topicName, index: p.partitionIndex })));
    const known = partitions.length === 1 && partitions[0]!.topic === metadataTopic && partitions[0]!.index === 0;
    const status = known ? await context.services.metadata.describeQuorum() : null;
    const answer = (index: number): PartitionData =>
      !known
        ? failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        : status === null
          ? failed(index, ErrorCode.NOT_LEADER_OR_FOLLOWER)
          : described(status);
    return {
      errorCode: ErrorCode.NONE,
      topics: request.topics.map((t) => ({ topicName: t.topicName, partitions: t.partitions.map((p) => answer(p.partitionIndex)) })),
    };
  },
});

function described(status: QuorumStatus): PartitionData {
  return {
    partitionIndex: 0,
    errorCode: ErrorCode.NONE,
    leaderId: status.leaderId,
    leaderEpoch: status.leaderEpoch,
    highWatermark: status.highWatermark,
    currentVoters: [...status.voters],
    observers: [...status.observers],
  };
}

function failed(partitionIndex: number, errorCode: number): PartitionData {
  return { partitionIndex, errorCode, leaderId: -1, leaderEpoch: -1, highWatermark: -1, currentVoters: [], observers: [] };
}
