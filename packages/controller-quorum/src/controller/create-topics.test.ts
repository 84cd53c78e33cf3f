import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@rill/protocol';
import type { MetadataImage } from '../metadata/image.js';
import { clusterOf, registerBroker, replayed, topicIdFor } from '../metadata/testing/fixtures.js';
import {
  createTopics,
  type CreateTopicRequest,
  type CreateTopicsOptions,
} from './create-topics.js';

function options(overrides: Partial<CreateTopicsOptions> = {}): CreateTopicsOptions {
  let next = 0;
  return {
    defaultPartitions: 1,
    defaultReplicationFactor: 1,
    validateOnly: false,
    newTopicId: () => topicIdFor(++next),
    ...overrides,
  };
}

function topic(name: string, overrides: Partial<CreateTopicRequest> = {}): CreateTopicRequest {
  return {
    name,
    numPartitions: 3,
    replicationFactor: 3,
    assignments: null,
    configs: {},
    ...overrides,
  };
}

function codeFor(image: MetadataImage, request: CreateTopicRequest): number {
  return createTopics(image, [request], options()).response[0].errorCode;
}

describe('createTopics validation', () => {
  const image = clusterOf(3);

  it.each([
    ['an empty name', topic(''), ErrorCode.INVALID_TOPIC_EXCEPTION],
    ['"."', topic('.'), ErrorCode.INVALID_TOPIC_EXCEPTION],
    ['".."', topic('..'), ErrorCode.INVALID_TOPIC_EXCEPTION],
    ['an illegal character', topic('a/b'), ErrorCode.INVALID_TOPIC_EXCEPTION],
    ['250 characters', topic('x'.repeat(250)), ErrorCode.INVALID_TOPIC_EXCEPTION],
    ['zero partitions', topic('t', { numPartitions: 0 }), ErrorCode.INVALID_PARTITIONS],
    [
      'more replicas than live brokers',
      topic('t', { replicationFactor: 4 }),
      ErrorCode.INVALID_REPLICATION_FACTOR,
    ],
    [
      'replication factor 0',
      topic('t', { replicationFactor: 0 }),
      ErrorCode.INVALID_REPLICATION_FACTOR,
    ],
    [
      'an unknown config',
      topic('t', { configs: { 'no.such.thing': '1' } }),
      ErrorCode.INVALID_CONFIG,
    ],
    [
      'a malformed config value',
      topic('t', { configs: { 'retention.ms': 'soon' } }),
      ErrorCode.INVALID_CONFIG,
    ],
    [
      'assignments and counts together',
      topic('t', { assignments: [[1]] }),
      ErrorCode.INVALID_REQUEST,
    ],
    [
      'an assignment to an unknown broker',
      topic('t', { numPartitions: -1, replicationFactor: -1, assignments: [[1, 9]] }),
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    ],
    [
      'an assignment naming a broker twice',
      topic('t', { numPartitions: -1, replicationFactor: -1, assignments: [[1, 1]] }),
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    ],
    [
      'uneven assignments',
      topic('t', { numPartitions: -1, replicationFactor: -1, assignments: [[1, 2], [3]] }),
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    ],
  ])('refuses %s', (_, request, code) => {
    expect(codeFor(image, request)).toBe(code);
  });

  it('accepts a 249-character name and legal punctuation', () => {
    expect(codeFor(image, topic('x'.repeat(249)))).toBe(ErrorCode.NONE);
    expect(codeFor(image, topic('a.b_c-D9'))).toBe(ErrorCode.NONE);
  });

  it('counts only unfenced brokers towards the replication factor', () => {
    const oneFenced = replayed(image, [{ type: 'fenceBroker', nodeId: 3 }]);
    expect(codeFor(oneFenced, topic('t'))).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(
      codeFor(
        oneFenced,
        topic('t', { numPartitions: -1, replicationFactor: -1, assignments: [[3]] }),
      ),
    ).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  });

  it('refuses an existing topic, a name colliding on . and _, and a name given twice', () => {
    const withOrders = replayed(
      image,
      createTopics(image, [topic('my.orders')], options()).records,
    );
    expect(codeFor(withOrders, topic('my.orders'))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(codeFor(withOrders, topic('my_orders'))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const twice = createTopics(image, [topic('a'), topic('b'), topic('a')], options());
    expect(twice.response.map((r) => r.errorCode)).toEqual([
      ErrorCode.INVALID_REQUEST,
      ErrorCode.NONE,
      ErrorCode.INVALID_REQUEST,
    ]);
  });

  it('fills -1 counts from the defaults', () => {
    const result = createTopics(
      image,
      [topic('t', { numPartitions: -1, replicationFactor: -1 })],
      options({ defaultPartitions: 6, defaultReplicationFactor: 2 }),
    );
    expect(result.response[0]).toMatchObject({
      errorCode: ErrorCode.NONE,
      numPartitions: 6,
      replicationFactor: 2,
      topicId: topicIdFor(1),
    });
  });

  it('emits nothing for validateOnly, and answers as if it had', () => {
    const result = createTopics(image, [topic('t')], options({ validateOnly: true }));
    expect(result.records).toEqual([]);
    expect(result.response[0]).toMatchObject({
      errorCode: ErrorCode.NONE,
      topicId: null,
      numPartitions: 3,
    });
  });
});

describe('createTopics records', () => {
  it('emit the topic, its configs and its partitions, which replay into the image', () => {
    const image = clusterOf(3);
    const result = createTopics(
      image,
      [topic('orders', { configs: { 'retention.ms': '1000' } })],
      options(),
    );
    expect(result.records.map((r) => r.type)).toEqual([
      'topic',
      'config',
      'partition',
      'partition',
      'partition',
    ]);
    const next = replayed(image, result.records);
    const created = next.topics.byName.get('orders');
    expect(created?.topicId).toBe(topicIdFor(1));
    expect(next.configs.topic.get('orders')?.get('retention.ms')).toBe('1000');
    for (const partition of created?.partitions.values() ?? []) {
      expect(partition.isr).toEqual(partition.replicas);
      expect(partition.leader).toBe(partition.replicas[0]);
    }
  });

  it('use manual assignments as given', () => {
    const image = replayed(clusterOf(3), [registerBroker(7)]);
    const request = topic('t', {
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [
        [7, 1],
        [2, 3],
      ],
    });
    const next = replayed(image, createTopics(image, [request], options()).records);
    expect([...next.topics.byName.get('t')!.partitions.values()].map((p) => p.replicas)).toEqual([
      [7, 1],
      [2, 3],
    ]);
  });
});
