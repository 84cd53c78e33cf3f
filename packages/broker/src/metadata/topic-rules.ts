import { ErrorCode } from '@rill/protocol';
import { partitionsPerTopicMax } from '../limits.js';
import type { NewTopic, TopicOutcome } from './metadata-store.js';

const legalTopicName = /^[a-zA-Z0-9._-]+$/;
export const topicNameLengthMax = 249;

/** Kafka's rules for a topic name; null when the name is legal. */
export function topicNameProblem(name: string): string | null {
  if (name === '') return 'the topic name is empty';
  if (name === '.' || name === '..') return `'${name}' is not a legal topic name`;
  if (name.length > topicNameLengthMax) return `topic names are at most ${topicNameLengthMax} characters`;
  if (!legalTopicName.test(name)) return 'topic names may contain only ASCII letters, digits, ., _ and -';
  return null;
}

const allowedTopicConfigs = new Set([
  'retention.ms', 'retention.bytes', 'segment.bytes', 'segment.ms', 'max.message.bytes',
  'min.insync.replicas', 'flush.messages', 'flush.ms', 'index.interval.bytes', 'cleanup.policy',
]);

/** Checks one topic against the cluster's rules; null when it may be created. */
export function newTopicProblem(topic: NewTopic, liveBrokers: readonly number[]): TopicOutcome | null {
  const reject = (errorCode: number, errorMessage: string): TopicOutcome => ({ name: topic.name, errorCode, errorMessage });
  const nameProblem = topicNameProblem(topic.name);
  if (nameProblem !== null) return reject(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
  if (topic.numPartitions < 1 || topic.numPartitions > partitionsPerTopicMax) {
    return reject(ErrorCode.INVALID_PARTITIONS, `the partition count must be between 1 and ${partitionsPerTopicMax}`);
  }
  if (topic.replicationFactor < 1) return reject(ErrorCode.INVALID_REPLICATION_FACTOR, 'the replication factor must be at least 1');
  if (topic.replicationFactor > liveBrokers.length) {
    return reject(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `replication factor ${topic.replicationFactor} is larger than the ${liveBrokers.length} available broker(s)`,
    );
  }
  if (topic.assignments !== null) {
    const problem = assignmentProblem(topic.assignments, liveBrokers);
    if (problem !== null) return reject(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
  }
  for (const [key, value] of Object.entries(topic.configs)) {
    if (!allowedTopicConfigs.has(key)) return reject(ErrorCode.INVALID_CONFIG, `unknown or unsupported topic config '${key}'`);
    if (key === 'cleanup.policy' && value !== 'delete') {
      return reject(ErrorCode.INVALID_CONFIG, "only cleanup.policy=delete is supported so far");
    }
    if (key !== 'cleanup.policy' && !/^-?\d+$/.test(value)) {
      return reject(ErrorCode.INVALID_CONFIG, `topic config ${key}=${value} must be a whole number`);
    }
  }
  return null;
}

function assignmentProblem(assignments: readonly (readonly number[])[], liveBrokers: readonly number[]): string | null {
  for (const replicas of assignments) {
    if (replicas.length === 0) return 'a partition has no replicas';
    if (new Set(replicas).size !== replicas.length) return 'a partition lists a broker twice';
    for (const broker of replicas) {
      if (!liveBrokers.includes(broker)) return `broker ${broker} in the replica assignment is not available`;
    }
  }
  return null;
}
