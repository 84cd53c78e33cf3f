import { assert } from '@rill/base';
import type { MetadataImage } from '../metadata/image.js';
import { partitionsPerTopicMax, replicasPerPartitionMax } from '../metadata/limits.js';
import { canonicalUuid, type MetadataRecord } from '../metadata/records.js';
import {
  addLeader,
  assignmentProblem,
  placementBrokers,
  preferredLeaderCounts,
  tooFewBrokers,
} from './cluster-queries.js';
import { ErrorCode as Code } from '@rill/protocol';
import { newPartitionRecord } from './partition-records.js';
import { placeReplicas } from './placement.js';
import { failure, type ControllerResult, type Outcome } from './result.js';
import { collisionKey, topicConfigProblem, topicNameProblem } from './topic-rules.js';

/** One topic of a CreateTopics request. -1 counts take the cluster defaults. */
export interface CreateTopicRequest {
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  /** Replica lists by partition index; when given, both counts must be -1 (Kafka's rule). */
  readonly assignments: readonly (readonly number[])[] | null;
  readonly configs: Readonly<Record<string, string>>;
}

export interface CreateTopicsOptions {
  /** num.partitions */
  readonly defaultPartitions: number;
  /** default.replication.factor */
  readonly defaultReplicationFactor: number;
  readonly validateOnly: boolean;
  /** A fresh lowercase UUID per call: the caller owns randomness, so this stays deterministic. */
  readonly newTopicId: () => string;
}

export interface CreateTopicOutcome extends Outcome {
  readonly name: string;
  /** Null on failure and for validateOnly. */
  readonly topicId: string | null;
  /** The counts used, or -1 on failure. */
  readonly numPartitions: number;
  readonly replicationFactor: number;
}

/** A request that passed every check, with its replica lists decided. */
interface AcceptedTopic {
  readonly name: string;
  readonly replicaLists: readonly (readonly number[])[];
}

/**
 * CreateTopics: validates each topic against the image and the topics before it in the same
 * request, places replicas, and returns the Topic, Config and Partition records of those
 * accepted. Names given twice are refused each time (INVALID_REQUEST), as Kafka does.
 */
export function createTopics(
  image: MetadataImage,
  requests: readonly CreateTopicRequest[],
  options: CreateTopicsOptions,
): ControllerResult<CreateTopicOutcome[]> {
  const duplicates = duplicateNames(requests);
  const pending = {
    names: new Set<string>(),
    collisionKeys: new Set([...image.topics.byName.keys()].map(collisionKey)),
    leaderCounts: preferredLeaderCounts(image),
  };
  const records: MetadataRecord[] = [];
  const response: CreateTopicOutcome[] = [];
  for (const request of requests) {
    const checked = duplicates.has(request.name)
      ? refused(
          request.name,
          failure(Code.INVALID_REQUEST, `topic '${request.name}' appears twice in the request`),
        )
      : checkTopic(image, request, options, pending);
    if ('errorCode' in checked) {
      response.push(checked);
      continue;
    }
    pending.names.add(request.name);
    pending.collisionKeys.add(collisionKey(request.name));
    for (const replicas of checked.replicaLists) addLeader(pending.leaderCounts, replicas);
    const topicId = options.validateOnly ? null : options.newTopicId();
    if (topicId !== null) records.push(...topicRecords(checked, topicId, request.configs));
    response.push({
      name: request.name,
      errorCode: Code.NONE,
      errorMessage: null,
      topicId,
      numPartitions: checked.replicaLists.length,
      replicationFactor: checked.replicaLists[0].length,
    });
  }
  return { records, response };
}

/** Topics accepted earlier in the same request, which later ones must not clash with. */
interface PendingTopics {
  readonly names: ReadonlySet<string>;
  /** Of the image's topics and the accepted ones. */
  readonly collisionKeys: ReadonlySet<string>;
  readonly leaderCounts: ReadonlyMap<number, number>;
}

function checkTopic(
  image: MetadataImage,
  request: CreateTopicRequest,
  options: CreateTopicsOptions,
  pending: PendingTopics,
): AcceptedTopic | CreateTopicOutcome {
  const reject = (errorCode: number, message: string) =>
    refused(request.name, failure(errorCode, message));
  const nameProblem = topicNameProblem(request.name);
  if (nameProblem !== null) return reject(Code.INVALID_TOPIC_EXCEPTION, nameProblem);
  if (image.topics.byName.has(request.name) || pending.names.has(request.name)) {
    return reject(Code.TOPIC_ALREADY_EXISTS, `topic '${request.name}' already exists`);
  }
  if (pending.collisionKeys.has(collisionKey(request.name))) {
    return reject(
      Code.INVALID_TOPIC_EXCEPTION,
      `topic '${request.name}' collides with an existing topic ('.' vs '_')`,
    );
  }
  for (const [key, value] of Object.entries(request.configs)) {
    const problem = topicConfigProblem(key, value);
    if (problem !== null) return reject(Code.INVALID_CONFIG, problem);
  }
  const replicaLists =
    request.assignments !== null && request.assignments.length > 0
      ? checkAssignments(image, request)
      : placeTopic(image, request, options, pending.leaderCounts);
  if ('errorCode' in replicaLists) return refused(request.name, replicaLists);
  return { name: request.name, replicaLists };
}

function checkAssignments(
  image: MetadataImage,
  request: CreateTopicRequest,
): readonly (readonly number[])[] | Outcome {
  const assignments = request.assignments;
  assert(assignments !== null, 'checkAssignments without assignments');
  if (request.numPartitions !== -1 || request.replicationFactor !== -1) {
    return failure(Code.INVALID_REQUEST, 'give either replica assignments or counts, not both');
  }
  if (assignments.length > partitionsPerTopicMax) {
    return failure(
      Code.INVALID_PARTITIONS,
      `at most ${partitionsPerTopicMax} partitions per topic`,
    );
  }
  const problem = assignmentProblem(image, assignments);
  return problem === null ? assignments : failure(Code.INVALID_REPLICA_ASSIGNMENT, problem);
}

function placeTopic(
  image: MetadataImage,
  request: CreateTopicRequest,
  options: CreateTopicsOptions,
  leaderCounts: ReadonlyMap<number, number>,
): number[][] | Outcome {
  const partitionCount =
    request.numPartitions === -1 ? options.defaultPartitions : request.numPartitions;
  const replicationFactor =
    request.replicationFactor === -1 ? options.defaultReplicationFactor : request.replicationFactor;
  if (partitionCount < 1 || partitionCount > partitionsPerTopicMax) {
    return failure(
      Code.INVALID_PARTITIONS,
      `the partition count must be between 1 and ${partitionsPerTopicMax}`,
    );
  }
  if (replicationFactor < 1 || replicationFactor > replicasPerPartitionMax) {
    return failure(
      Code.INVALID_REPLICATION_FACTOR,
      `the replication factor must be between 1 and ${replicasPerPartitionMax}`,
    );
  }
  const brokers = placementBrokers(image);
  if (replicationFactor > brokers.length) {
    return tooFewBrokers(replicationFactor, brokers.length);
  }
  return placeReplicas({ brokers, partitionCount, replicationFactor, leaderCounts });
}

function topicRecords(
  topic: AcceptedTopic,
  topicId: string,
  configs: Readonly<Record<string, string>>,
): MetadataRecord[] {
  assert(canonicalUuid.test(topicId), `newTopicId() gave '${topicId}', not a lowercase UUID`);
  const records: MetadataRecord[] = [{ type: 'topic', name: topic.name, topicId }];
  for (const key of Object.keys(configs).sort()) {
    records.push({
      type: 'config',
      resourceType: 'topic',
      resourceName: topic.name,
      key,
      value: configs[key],
    });
  }
  for (const [partition, replicas] of topic.replicaLists.entries()) {
    records.push(newPartitionRecord(topicId, partition, replicas));
  }
  return records;
}

function duplicateNames(requests: readonly CreateTopicRequest[]): Set<string> {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const { name } of requests) (seen.has(name) ? duplicates : seen).add(name);
  return duplicates;
}

function refused(name: string, outcome: Outcome): CreateTopicOutcome {
  return { name, ...outcome, topicId: null, numPartitions: -1, replicationFactor: -1 };
}
