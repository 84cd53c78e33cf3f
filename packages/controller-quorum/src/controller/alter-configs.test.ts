import { ErrorCode } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import { clusterOf, partitionRecord, replayed, topicIdFor } from '../metadata/testing/fixtures.js';
import { alterTopicConfigs, type TopicConfigOperation } from './alter-configs.js';
import { topicConfigProblem } from './topic-rules.js';

const topicId = topicIdFor(1);
const image = replayed(clusterOf(3), [
  { type: 'topic', name: 't', topicId },
  partitionRecord(topicId, 0, [1, 2]),
  { type: 'config', resourceType: 'topic', resourceName: 't', key: 'retention.ms', value: '5000' },
  { type: 'config', resourceType: 'topic', resourceName: 't', key: 'segment.bytes', value: '1048576' },
]);

const set = (key: string, value: string): TopicConfigOperation => ({ key, op: 'set', value });
const del = (key: string): TopicConfigOperation => ({ key, op: 'delete', value: '' });

function alter(operations: TopicConfigOperation[], replace = false, name = 't', validateOnly = false) {
  return alterTopicConfigs(image, { name, replace, operations }, { validateOnly });
}

function overridesAfter(operations: TopicConfigOperation[], replace = false) {
  const result = alter(operations, replace);
  expect(result.response).toMatchObject({ name: 't', errorCode: ErrorCode.NONE, errorMessage: null });
  return Object.fromEntries(replayed(image, result.records).configs.topic.get('t') ?? []);
}

describe('alterTopicConfigs', () => {
  it('incremental: changes only the keys it names, one record per changed key', () => {
    const result = alter([set('retention.ms', '9000'), set('segment.bytes', '1048576'), del('flush.ms')]);
    expect(result.records).toEqual([
      { type: 'config', resourceType: 'topic', resourceName: 't', key: 'retention.ms', value: '9000' },
    ]);
    expect(overridesAfter([set('max.message.bytes', '2048'), del('retention.ms')])).toEqual({
      'segment.bytes': '1048576',
      'max.message.bytes': '2048',
    });
  });

  it('replace (legacy AlterConfigs): every override not named is deleted', () => {
    expect(overridesAfter([set('retention.ms', '7000')], true)).toEqual({ 'retention.ms': '7000' });
    expect(overridesAfter([], true)).toEqual({});
    expect(alter([del('retention.ms')], true).response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('validateOnly answers as the change would, and writes nothing', () => {
    expect(alter([set('retention.ms', '1')], false, 't', true)).toEqual({
      records: [],
      response: { name: 't', errorCode: ErrorCode.NONE, errorMessage: null },
    });
    expect(alter([set('retention.ms', 'x')], false, 't', true).response.errorCode).toBe(ErrorCode.INVALID_CONFIG);
  });

  it('append and subtract work on list configs only, from the default when unset', () => {
    expect(overridesAfter([{ key: 'cleanup.policy', op: 'append', value: 'delete' }])).toMatchObject({
      'cleanup.policy': 'delete',
    });
    const compact = alter([{ key: 'cleanup.policy', op: 'append', value: 'compact' }]);
    expect(compact.response.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    const emptied = alter([{ key: 'cleanup.policy', op: 'subtract', value: 'delete' }]);
    expect(emptied.response.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    const notList = alter([{ key: 'retention.ms', op: 'append', value: '1' }]);
    expect(notList.response).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG });
    expect(notList.response.errorMessage).toContain('not a list');
  });

  it.each([
    ['an unknown topic', [set('retention.ms', '1')], 'missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ['an illegal topic name', [set('retention.ms', '1')], 'a/b', ErrorCode.INVALID_TOPIC_EXCEPTION],
    ['an unknown key', [set('no.such.key', '1')], 't', ErrorCode.INVALID_CONFIG],
    ['a malformed value', [set('min.insync.replicas', 'two')], 't', ErrorCode.INVALID_CONFIG],
    ['a key twice', [set('retention.ms', '1'), del('retention.ms')], 't', ErrorCode.INVALID_REQUEST],
  ])('refuses %s, changing nothing', (_label, operations, name, code) => {
    const result = alter(operations, false, name);
    expect(result.records).toEqual([]);
    expect(result.response.errorCode).toBe(code);
    expect(result.response.errorMessage).not.toBeNull();
  });

  it('lets a delete of a key that has no override (even an unknown one) succeed as a no-op', () => {
    expect(alter([del('flush.ms'), del('no.such.key')])).toEqual({
      records: [],
      response: { name: 't', errorCode: ErrorCode.NONE, errorMessage: null },
    });
  });
});

describe('topicConfigProblem', () => {
  it.each([
    ['segment.bytes', '13', 'at least 14'],
    ['segment.bytes', '2147483648', 'at most 2147483647'],
    ['segment.ms', '0', 'at least 1'],
    ['retention.ms', '-2', 'at least -1'],
    ['min.insync.replicas', '0', 'at least 1'],
    ['flush.messages', '0', 'at least 1'],
    ['unclean.leader.election.enable', 'yes', 'true or false'],
    ['cleanup.policy', 'compact', 'only cleanup.policy=delete'],
    ['retention.ms', '1e3', 'whole number'],
  ])('refuses %s=%s (%s), as Kafka’s validators do', (key, value, why) => {
    expect(topicConfigProblem(key, value)).toContain(why);
  });

  it.each([
    ['segment.bytes', '14'],
    ['retention.ms', '-1'],
    ['retention.bytes', '-1'],
    ['flush.ms', '0'],
    ['max.message.bytes', '0'],
    ['unclean.leader.election.enable', 'false'],
  ])('accepts %s=%s', (key, value) => {
    expect(topicConfigProblem(key, value)).toBeNull();
  });
});
