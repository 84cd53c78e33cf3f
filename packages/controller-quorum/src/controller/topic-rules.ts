import { topicNameLengthMax } from '../metadata/limits.js';

/** Kafka's rules for topic names and topic configs, as the controller enforces them. */

const legalTopicName = /^[a-zA-Z0-9._-]+$/;

/** Why a topic name is illegal, or null when it is legal (Kafka's Topic.validate). */
export function topicNameProblem(name: string): string | null {
  if (name === '') return 'the topic name is empty';
  if (name === '.' || name === '..') return `'${name}' is not a legal topic name`;
  if (name.length > topicNameLengthMax)
    return `topic names are at most ${topicNameLengthMax} characters`;
  if (!legalTopicName.test(name))
    return 'topic names may contain only ASCII letters, digits, ., _ and -';
  return null;
}

/**
 * Kafka maps '.' to '_' in metric names, so two topics differing only there would share
 * metrics; it refuses the second one, and so do we.
 */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

export const uncleanLeaderElectionKey = 'unclean.leader.election.enable';

type ValueRule = 'wholeNumber' | 'boolean' | 'deleteOnly';

/** The topic configs we support, and what their values must look like. */
const topicConfigRules: ReadonlyMap<string, ValueRule> = new Map<string, ValueRule>([
  ['retention.ms', 'wholeNumber'],
  ['retention.bytes', 'wholeNumber'],
  ['segment.bytes', 'wholeNumber'],
  ['segment.ms', 'wholeNumber'],
  ['max.message.bytes', 'wholeNumber'],
  ['min.insync.replicas', 'wholeNumber'],
  ['flush.messages', 'wholeNumber'],
  ['flush.ms', 'wholeNumber'],
  ['index.interval.bytes', 'wholeNumber'],
  ['cleanup.policy', 'deleteOnly'],
  [uncleanLeaderElectionKey, 'boolean'],
]);

/** Why a topic config is refused (INVALID_CONFIG), or null when it is acceptable. */
export function topicConfigProblem(key: string, value: string): string | null {
  const rule = topicConfigRules.get(key);
  if (rule === undefined) return `unknown or unsupported topic config '${key}'`;
  if (rule === 'wholeNumber' && !/^-?\d{1,18}$/.test(value))
    return `${key}=${value} must be a whole number`;
  if (rule === 'boolean' && value !== 'true' && value !== 'false')
    return `${key}=${value} must be true or false`;
  if (rule === 'deleteOnly' && value !== 'delete')
    return 'only cleanup.policy=delete is supported so far';
  return null;
}
