import { ErrorCode } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { propertyDefinitions } from '../config/definitions.js';
import {
  ConfigSource,
  brokerResourceProblem,
  describeBrokerConfigs,
  describeTopicConfigs,
} from './config-resources.js';

const config = loadConfig({ flags: ['log.retention.ms=60000', 'log.dirs=/data/a,/data/b'] });

describe('describeTopicConfigs', () => {
  const described = describeTopicConfigs(config, { 'segment.bytes': '65536' });
  const byName = new Map(described.map((c) => [c.name, c]));

  it('lists every topic config we honour, each writable and not secret', () => {
    expect([...byName.keys()]).toEqual([
      'cleanup.policy',
      'flush.messages',
      'flush.ms',
      'index.interval.bytes',
      'max.message.bytes',
      'min.insync.replicas',
      'retention.bytes',
      'retention.ms',
      'segment.bytes',
      'segment.ms',
      'unclean.leader.election.enable',
    ]);
    expect(described.every((c) => !c.readOnly && !c.sensitive)).toBe(true);
  });

  it('takes the override, then the node’s properties, then the default, and lists that order as synonyms', () => {
    expect(byName.get('segment.bytes')).toMatchObject({
      value: '65536',
      source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
      synonyms: [
        { name: 'segment.bytes', value: '65536', source: ConfigSource.DYNAMIC_TOPIC_CONFIG },
        { name: 'log.segment.bytes', value: '1073741824', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(byName.get('retention.ms')).toMatchObject({
      value: '60000',
      source: ConfigSource.STATIC_BROKER_CONFIG,
      synonyms: [
        { name: 'log.retention.ms', value: '60000', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'log.retention.ms', value: '604800000', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(byName.get('unclean.leader.election.enable')).toMatchObject({ value: 'false', source: ConfigSource.DEFAULT_CONFIG });
    expect(byName.get('cleanup.policy')).toMatchObject({ value: 'delete', source: ConfigSource.DEFAULT_CONFIG });
  });
});

describe('describeBrokerConfigs', () => {
  it('lists every property, read-only, with static ones marked and lists comma-joined', () => {
    const described = describeBrokerConfigs(config);
    expect(described).toHaveLength(propertyDefinitions.length);
    expect(described.every((c) => c.readOnly && !c.sensitive)).toBe(true);
    const byName = new Map(described.map((c) => [c.name, c]));
    expect(byName.get('log.dirs')).toMatchObject({ value: '/data/a,/data/b', source: ConfigSource.STATIC_BROKER_CONFIG });
    expect(byName.get('num.partitions')).toMatchObject({ value: '1', source: ConfigSource.DEFAULT_CONFIG });
    expect(byName.get('advertised.listeners')).toMatchObject({ value: null, source: ConfigSource.DEFAULT_CONFIG });
  });
});

describe('brokerResourceProblem', () => {
  it('answers for this broker and the cluster default only', () => {
    expect(brokerResourceProblem(3, '3')).toBeNull();
    expect(brokerResourceProblem(3, '')).toBeNull();
    expect(brokerResourceProblem(3, '4')?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(brokerResourceProblem(3, 'x')?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});
