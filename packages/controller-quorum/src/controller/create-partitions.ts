import type { MetadataImage, TopicImage } from '../metadata/image.js';
import { partitionsPerTopicMax } from '../metadata/limits.js';
import {
  assignmentProblem,
  placementBrokers,
  preferredLeaderCounts,
  tooFewBrokers,
} from './cluster-queries.js';
import { ErrorCode as Code } from '@rill/protocol';
import { newPartitionRecord } from './partition-records.js';
import { placeReplicas } from './placement.js';
import { failure, success, type ControllerResult, type Outcome } from './result.js';

export interface CreatePartitionsRequest {
  readonly name: string;
  /** The new total partition count. */
  readonly count: number;
  /** Replica lists for the added partitions only, or null to place them. */
  readonly assignments: readonly (readonly number[])[] | null;
}

export interface CreatePartitionsOutcome extends Outcome {
  readonly name: string;
}

/**
 * CreatePartitions for one topic: Partition records for the indexes from the current count
 * up to `count`, with the topic's replication factor. Partitions only ever grow (Kafka's
 * rule), since keyed records would otherwise change partition under their consumers.
 */
export function createPartitions(
  image: MetadataImage,
  request: CreatePartitionsRequest,
  options: { readonly validateOnly: boolean },
): ControllerResult<CreatePartitionsOutcome> {
  const refuse = (outcome: Outcome) => ({
    records: [],
    response: { name: request.name, ...outcome },
  });
  const topic = image.topics.byName.get(request.name);
  if (topic === undefined)
    return refuse(failure(Code.UNKNOWN_TOPIC_OR_PARTITION, `no topic named '${request.name}'`));
  const placed = newReplicaLists(image, topic, request);
  if ('errorCode' in placed) return refuse(placed);
  const first = topic.partitions.size;
  const records = placed.map((replicas, offset) =>
    newPartitionRecord(topic.topicId, first + offset, replicas),
  );
  return {
    records: options.validateOnly ? [] : records,
    response: { name: request.name, ...success },
  };
}

function newReplicaLists(
  image: MetadataImage,
  topic: TopicImage,
  request: CreatePartitionsRequest,
): readonly (readonly number[])[] | Outcome {
  const current = topic.partitions.size;
  if (request.count <= current) {
    return failure(
      Code.INVALID_PARTITIONS,
      `topic has ${current} partitions; the new count must be larger`,
    );
  }
  if (request.count > partitionsPerTopicMax) {
    return failure(
      Code.INVALID_PARTITIONS,
      `at most ${partitionsPerTopicMax} partitions per topic`,
    );
  }
  const replicationFactor = topic.partitions.get(0)?.replicas.length ?? 1;
  if (request.assignments !== null)
    return checkAssignments(image, request, current, replicationFactor);
  const brokers = placementBrokers(image);
  if (replicationFactor > brokers.length) {
    return tooFewBrokers(replicationFactor, brokers.length);
  }
  const partitionCount = request.count - current;
  return placeReplicas({
    brokers,
    partitionCount,
    replicationFactor,
    leaderCounts: preferredLeaderCounts(image),
  });
}

function checkAssignments(
  image: MetadataImage,
  request: CreatePartitionsRequest,
  current: number,
  replicationFactor: number,
): readonly (readonly number[])[] | Outcome {
  const assignments = request.assignments!;
  if (assignments.length !== request.count - current) {
    return failure(
      Code.INVALID_REPLICA_ASSIGNMENT,
      `${assignments.length} assignments for ${request.count - current} new partitions`,
    );
  }
  const problem = assignmentProblem(image, assignments);
  if (problem !== null) return failure(Code.INVALID_REPLICA_ASSIGNMENT, problem);
  if (assignments[0].length !== replicationFactor) {
    return failure(
      Code.INVALID_REPLICA_ASSIGNMENT,
      `the topic's replication factor is ${replicationFactor}`,
    );
  }
  return assignments;
}
