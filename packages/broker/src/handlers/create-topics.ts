import { CreateTopics, ErrorCode, type CreateTopicsRequest } from '@rill/protocol';
import { topicsPerRequestMax } from '../limits.js';
import type { NewTopic, TopicOutcome } from '../metadata/metadata-store.js';
import { defineHandler, type RequestContext } from './handler.js';

type RequestedTopic = CreateTopicsRequest['topics'][number];

/**
 * CreateTopics v0–4. -1 partitions or replication factor (kafkajs sends them when unset)
 * mean the broker defaults. The metadata store checks names, counts and configs, and
 * answers after the change is durable.
 */
export const createTopicsHandler = defineHandler({
  schema: CreateTopics,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, context) {
    const outcomes = new Map<string, TopicOutcome>();
    const accepted: NewTopic[] = [];
    const seen = new Set<string>();
    for (const [position, topic] of request.topics.entries()) {
      const problem =
        position >= topicsPerRequestMax
          ? reject(topic.name, ErrorCode.INVALID_REQUEST, `at most ${topicsPerRequestMax} topics per request`)
          : seen.has(topic.name)
            ? reject(topic.name, ErrorCode.INVALID_REQUEST, `topic '${topic.name}' appears twice in the request`)
            : null;
      seen.add(topic.name);
      const resolved = problem ?? withDefaults(topic, context);
      if ('errorCode' in resolved) outcomes.set(topic.name, resolved);
      else accepted.push(resolved);
    }
    const created = await context.services.metadata.createTopics(accepted, { validateOnly: request.validateOnly });
    for (const outcome of created) outcomes.set(outcome.name, outcome);
    return {
      throttleTimeMs: 0,
      topics: [...outcomes.values()].map((o) => ({ name: o.name, errorCode: o.errorCode, errorMessage: o.errorMessage })),
    };
  },
});

function withDefaults(topic: RequestedTopic, context: RequestContext): NewTopic | TopicOutcome {
  const { config } = context.services;
  const configs: Record<string, string> = {};
  for (const entry of topic.configs) {
    if (entry.value === null) return reject(topic.name, ErrorCode.INVALID_CONFIG, `topic config ${entry.name} has no value`);
    configs[entry.name] = entry.value;
  }
  if (topic.assignments.length === 0) {
    return {
      name: topic.name,
      numPartitions: topic.numPartitions === -1 ? config.int('num.partitions') : topic.numPartitions,
      replicationFactor: topic.replicationFactor === -1 ? config.int('default.replication.factor') : topic.replicationFactor,
      assignments: null,
      configs,
    };
  }
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    return reject(topic.name, ErrorCode.INVALID_REQUEST, 'give either a replica assignment or counts, not both');
  }
  const ordered = [...topic.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
  if (ordered.some((a, i) => a.partitionIndex !== i)) {
    return reject(topic.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'assigned partitions must be numbered 0, 1, 2, ...');
  }
  return {
    name: topic.name,
    numPartitions: ordered.length,
    replicationFactor: ordered[0]!.brokerIds.length,
    assignments: ordered.map((a) => a.brokerIds),
    configs,
  };
}

function reject(name: string, errorCode: number, errorMessage: string): TopicOutcome {
  return { name, errorCode, errorMessage };
}
