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

/**
 * What a topic config's value must look like: a whole number within bounds (Kafka's
 * validators for these keys; `int` ones are 32-bit), a boolean, or — for cleanup.policy, a
 * list in Kafka — only `delete` so far.
 */
type ValueRule =
  | { readonly kind: 'number'; readonly min: number; readonly max: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'deleteOnly' };

const int32Max = 0x7fff_ffff;
const whole = (min: number, max = Number.MAX_SAFE_INTEGER): ValueRule => ({ kind: 'number', min, max });

/** The topic configs we support, and what their values must look like. */
const topicConfigRules: ReadonlyMap<string, ValueRule> = new Map<string, ValueRule>([
  ['retention.ms', whole(-1)],
  ['retention.bytes', whole(-1)],
  // Kafka's floor: one legacy record's overhead.
  ['segment.bytes', whole(14, int32Max)],
  ['segment.ms', whole(1)],
  ['max.message.bytes', whole(0, int32Max)],
  ['min.insync.replicas', whole(1, int32Max)],
  ['flush.messages', whole(1)],
  ['flush.ms', whole(0)],
  ['index.interval.bytes', whole(0, int32Max)],
  ['cleanup.policy', { kind: 'deleteOnly' }],
  [uncleanLeaderElectionKey, { kind: 'boolean' }],
]);

/** The keys topicConfigProblem accepts. */
export const supportedTopicConfigs: readonly string[] = [...topicConfigRules.keys()].sort();

/**
 * Kafka's list-typed topic configs — the only ones IncrementalAlterConfigs may append to or
 * subtract from — with Kafka's default for each.
 */
export const listTopicConfigDefaults: ReadonlyMap<string, string> = new Map([['cleanup.policy', 'delete']]);

/** Why a topic config is refused (INVALID_CONFIG), or null when it is acceptable. */
export function topicConfigProblem(key: string, value: string): string | null {
  const rule = topicConfigRules.get(key);
  if (rule === undefined) return `unknown or unsupported topic config '${key}'`;
  switch (rule.kind) {
    case 'number': {
      if (!/^-?\d{1,18}$/.test(value)) return `${key}=${value} must be a whole number`;
      const n = Number(value);
      if (n < rule.min) return `${key}=${value} must be at least ${rule.min}`;
      if (n > rule.max) return `${key}=${value} must be at most ${rule.max}`;
      return null;
    }
    case 'boolean':
      return value === 'true' || value === 'false' ? null : `${key}=${value} must be true or false`;
    case 'deleteOnly':
      return value === 'delete' ? null : 'only cleanup.policy=delete is supported so far';
  }
}
