import { ErrorCode, Metadata, type MetadataResponseInput } from '@rill/protocol';
import { topicsPerRequestMax } from '../limits.js';
import type { ClusterView, TopicView } from '../metadata/cluster-view.js';
import { isInternalTopic } from '../metadata/internal-topics.js';
import { topicNameProblem } from '@rill/controller-quorum';
import { defineHandler, type RequestContext } from './handler.js';

type TopicResponse = MetadataResponseInput['topics'][number];

/**
 * Metadata v0–4: brokers with the address for the listener the client came in on, the
 * controller (always a listed broker: kafkajs sends admin requests there), and per topic its
 * partitions. Missing topics are created when auto-creation is on and the client allows it.
 */
export const metadataHandler = defineHandler({
  schema: Metadata,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, context) {
    const { metadata } = context.services;
    let names: string[] | null = request.topics === null ? null : request.topics.map((t) => t.name);
    // v0 has no null: an empty list there means every topic.
    if (names !== null && names.length === 0 && context.apiVersion === 0) names = null;
    if (names !== null && names.length > topicsPerRequestMax) {
      names = names.slice(0, topicsPerRequestMax);
    }
    if (names !== null) await createMissing(names, request.allowAutoTopicCreation, context);
    const view = metadata.current();
    const liveBrokers = new Set(view.brokers.map((b) => b.nodeId));
    const topics = names === null ? [...view.topics.values()].map((t) => describeTopic(t, liveBrokers)) : names.map((name) => topicResponse(name, view, liveBrokers));
    return {
      throttleTimeMs: 0,
      brokers: brokersFor(view, context.connection.listenerName),
      clusterId: view.clusterId,
      controllerId: view.controllerId,
      topics,
    };
  },
});

async function createMissing(names: readonly string[], clientAllows: boolean, context: RequestContext): Promise<void> {
  const { config, metadata } = context.services;
  if (!clientAllows || !config.bool('auto.create.topics.enable')) return;
  const view = metadata.current();
  const missing = [...new Set(names)].filter((name) => !view.topics.has(name) && topicNameProblem(name) === null && !isInternalTopic(name));
  if (missing.length === 0) return;
  await metadata.createTopics(
    missing.map((name) => ({
      name,
      numPartitions: config.int('num.partitions'),
      replicationFactor: config.int('default.replication.factor'),
      assignments: null,
      configs: {},
    })),
    { validateOnly: false },
  );
}

function topicResponse(name: string, view: ClusterView, liveBrokers: ReadonlySet<number>): TopicResponse {
  const topic = view.topics.get(name);
  if (topic !== undefined) return describeTopic(topic, liveBrokers);
  const errorCode = topicNameProblem(name) === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION;
  return { errorCode, name, isInternal: false, partitions: [] };
}

/** Offline replicas are those on brokers that are fenced or gone, as KRaft reports them. */
function describeTopic(topic: TopicView, liveBrokers: ReadonlySet<number>): TopicResponse {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    isInternal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((p) => ({
      errorCode: p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      offlineReplicas: p.replicas.filter((id) => !liveBrokers.has(id)),
    })),
  };
}

function brokersFor(view: ClusterView, listenerName: string): MetadataResponseInput['brokers'] {
  return view.brokers.flatMap((broker) => {
    const endpoint = broker.endpoints.find((e) => e.name === listenerName) ?? broker.endpoints[0];
    if (endpoint === undefined) return [];
    return [{ nodeId: broker.nodeId, host: endpoint.host, port: endpoint.port, rack: broker.rack }];
  });
}
