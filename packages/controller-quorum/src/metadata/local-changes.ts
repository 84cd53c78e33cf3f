import type { TopicsDelta } from './topics-delta.js';

/** A partition this broker must now lead or follow, with the state to start from. */
export interface LocalReplica {
  readonly topicName: string;
  readonly topicId: string;
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** A replica this broker holds and must delete: its topic went, or it was moved away. */
export interface LocalDelete {
  readonly topicName: string;
  readonly topicId: string;
  readonly partition: number;
}

/**
 * What one broker must do after a delta — exactly what drives replication. `leaders` and
 * `followers` hold every partition of this broker whose registration changed in the delta;
 * applying one twice must be harmless (the epochs tell the replica what is new).
 */
export interface LocalChanges {
  readonly leaders: readonly LocalReplica[];
  readonly followers: readonly LocalReplica[];
  readonly deletes: readonly LocalDelete[];
}

export const noLocalChanges: LocalChanges = { leaders: [], followers: [], deletes: [] };

export function topicsLocalChanges(delta: TopicsDelta, brokerId: number): LocalChanges {
  const leaders: LocalReplica[] = [];
  const followers: LocalReplica[] = [];
  const deletes: LocalDelete[] = [];
  for (const topic of delta.deletedTopics().values()) {
    for (const [partition, registration] of topic.partitions) {
      if (registration.replicas.includes(brokerId))
        deletes.push({ topicName: topic.name, topicId: topic.topicId, partition });
    }
  }
  for (const topic of delta.changedTopics().values()) {
    for (const [partition, registration] of topic.partitions) {
      const where = { topicName: topic.name, topicId: topic.topicId, partition };
      if (registration.replicas.includes(brokerId)) {
        const replica = { ...where, ...registration };
        (registration.leader === brokerId ? leaders : followers).push(replica);
      } else if (topic.base?.partitions.get(partition)?.replicas.includes(brokerId) === true) {
        deletes.push(where);
      }
    }
  }
  return { leaders, followers, deletes };
}
