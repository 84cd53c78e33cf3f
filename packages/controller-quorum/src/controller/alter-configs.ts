import { ErrorCode as Code } from '@rill/protocol';
import type { ConfigEntries, MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { failure, success, type ControllerResult, type Outcome } from './result.js';
import { listTopicConfigDefaults, topicConfigProblem, topicNameProblem } from './topic-rules.js';

/** Kafka's AlterConfigOp types, by name. */
export type ConfigOperationKind = 'set' | 'delete' | 'append' | 'subtract';

export interface TopicConfigOperation {
  readonly key: string;
  readonly op: ConfigOperationKind;
  /** What to set, or the comma-separated items to append or subtract; ignored by delete. */
  readonly value: string;
}

/** A change to one topic's config overrides. */
export interface AlterTopicConfigsRequest {
  readonly name: string;
  /**
   * AlterConfigs (the legacy API): the operations, all `set`, are the topic's whole new set
   * of overrides, and every override they do not name is deleted. Otherwise
   * (IncrementalAlterConfigs) only the named keys change.
   */
  readonly replace: boolean;
  readonly operations: readonly TopicConfigOperation[];
}

export interface AlterConfigsOutcome extends Outcome {
  readonly name: string;
}

/**
 * Alter one topic's configs: Config records for every key whose override changes, validated
 * by the rules CreateTopics applies (topicConfigProblem). A key named twice is refused
 * (INVALID_REQUEST), an unknown or malformed one is INVALID_CONFIG, append and subtract work
 * only on list-typed keys (Kafka's rule) starting from the override or the default.
 * Deleting a key that has no override changes nothing.
 */
export function alterTopicConfigs(
  image: MetadataImage,
  request: AlterTopicConfigsRequest,
  options: { readonly validateOnly: boolean },
): ControllerResult<AlterConfigsOutcome> {
  const refuse = (outcome: Outcome): ControllerResult<AlterConfigsOutcome> => ({
    records: [],
    response: { name: request.name, ...outcome },
  });
  const nameProblem = topicNameProblem(request.name);
  if (nameProblem !== null) return refuse(failure(Code.INVALID_TOPIC_EXCEPTION, nameProblem));
  if (!image.topics.byName.has(request.name))
    return refuse(failure(Code.UNKNOWN_TOPIC_OR_PARTITION, `no topic named '${request.name}'`));
  const current: ConfigEntries = image.configs.topic.get(request.name) ?? new Map();
  const next = nextOverrides(current, request);
  if ('errorCode' in next) return refuse(next);
  const records = options.validateOnly ? [] : changeRecords(request.name, current, next);
  return { records, response: { name: request.name, ...success } };
}

/** The topic's overrides after the request, or why the request is refused. */
function nextOverrides(current: ConfigEntries, request: AlterTopicConfigsRequest): Map<string, string> | Outcome {
  const next = new Map(request.replace ? [] : current);
  const seen = new Set<string>();
  for (const { key, op, value } of request.operations) {
    if (seen.has(key)) return failure(Code.INVALID_REQUEST, `config '${key}' appears twice for one resource`);
    seen.add(key);
    if (request.replace && op !== 'set') return failure(Code.INVALID_REQUEST, 'AlterConfigs only sets configs');
    if (op === 'delete') {
      next.delete(key);
      continue;
    }
    const updated = op === 'set' ? value : listOperation(key, op, value, current);
    if (typeof updated !== 'string') return updated;
    const problem = topicConfigProblem(key, updated);
    if (problem !== null) return failure(Code.INVALID_CONFIG, problem);
    next.set(key, updated);
  }
  return next;
}

/** APPEND adds the items not there yet, SUBTRACT removes them (from the default when unset). */
function listOperation(key: string, op: 'append' | 'subtract', value: string, current: ConfigEntries): string | Outcome {
  const fallback = listTopicConfigDefaults.get(key);
  if (fallback === undefined) return failure(Code.INVALID_CONFIG, `cannot ${op} to '${key}': it is not a list`);
  const items = splitList(current.get(key) ?? fallback);
  for (const item of splitList(value)) {
    const at = items.indexOf(item);
    if (op === 'append' && at < 0) items.push(item);
    if (op === 'subtract' && at >= 0) items.splice(at, 1);
  }
  return items.join(',');
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** One Config record per key whose value changes (null: the override goes), in key order. */
function changeRecords(name: string, current: ConfigEntries, next: ReadonlyMap<string, string>): MetadataRecord[] {
  const keys = [...new Set([...current.keys(), ...next.keys()])].sort();
  const records: MetadataRecord[] = [];
  for (const key of keys) {
    const value = next.get(key) ?? null;
    if (current.get(key) === value || (value === null && !current.has(key))) continue;
    records.push({ type: 'config', resourceType: 'topic', resourceName: name, key, value });
  }
  return records;
}
