import { ApiKey, ErrorCode } from '@rill/protocol';
import { KafkaError } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { withRetry } from '../cluster/retry.js';

/** The metadata log, the one partition DescribeQuorum describes. */
const metadataTopic = '__cluster_metadata';

export interface QuorumReplica {
  readonly nodeId: number;
  readonly role: 'leader' | 'follower' | 'observer';
  /** The log end it has proven to share with the leader; -1 when unknown. */
  readonly logEndOffset: number;
  /** How far its log end is behind the leader's (kafka-metadata-quorum's Lag); null when unknown. */
  readonly lag: number | null;
  /** Leader wall-clock times (ms since the epoch); null when unknown or not served (v0). */
  readonly lastFetchTimestamp: number | null;
  readonly lastCaughtUpTimestamp: number | null;
}

export interface QuorumDescription {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly highWatermark: number;
  /** The leader first, then the other voters. */
  readonly voters: readonly QuorumReplica[];
  /** Nodes that replicate the metadata log without voting (broker-only nodes). */
  readonly observers: readonly QuorumReplica[];
}

/**
 * DescribeQuorum (KIP-595): any broker forwards it to the active controller. A retriable
 * answer (NOT_LEADER_OR_FOLLOWER during an election) is retried with backoff.
 */
export function describeQuorum(cluster: Cluster): Promise<QuorumDescription> {
  return withRetry(async () => {
    const connection = await cluster.anyConnection();
    const response = await connection.request(ApiKey.DescribeQuorum, {
      topics: [{ topicName: metadataTopic, partitions: [{ partitionIndex: 0 }] }],
    });
    if (response.errorCode !== ErrorCode.NONE)
      throw new KafkaError(response.errorCode, { apiName: 'DescribeQuorum' });
    const partition = response.topics[0]?.partitions[0];
    if (partition === undefined)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { apiName: 'DescribeQuorum', topic: metadataTopic });
    if (partition.errorCode !== ErrorCode.NONE)
      throw new KafkaError(partition.errorCode, { apiName: 'DescribeQuorum', topic: metadataTopic, partition: 0 });
    const leaderEnd =
      partition.currentVoters.find((v) => v.replicaId === partition.leaderId)?.logEndOffset ?? -1;
    const replica = (role: 'voter' | 'observer') => (r: (typeof partition.currentVoters)[number]): QuorumReplica => ({
      nodeId: r.replicaId,
      role: role === 'observer' ? 'observer' : r.replicaId === partition.leaderId ? 'leader' : 'follower',
      logEndOffset: r.logEndOffset,
      lag: r.logEndOffset < 0 || leaderEnd < 0 ? null : Math.max(0, leaderEnd - r.logEndOffset),
      lastFetchTimestamp: r.lastFetchTimestamp < 0 ? null : r.lastFetchTimestamp,
      lastCaughtUpTimestamp: r.lastCaughtUpTimestamp < 0 ? null : r.lastCaughtUpTimestamp,
    });
    const leaderFirst = (a: QuorumReplica, b: QuorumReplica) =>
      Number(b.role === 'leader') - Number(a.role === 'leader') || a.nodeId - b.nodeId;
    return {
      leaderId: partition.leaderId,
      leaderEpoch: partition.leaderEpoch,
      highWatermark: partition.highWatermark,
      voters: partition.currentVoters.map(replica('voter')).sort(leaderFirst),
      observers: partition.observers.map(replica('observer')).sort((a, b) => a.nodeId - b.nodeId),
    };
  }, cluster.options.retry);
}
