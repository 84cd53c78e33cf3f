import type { MetadataImage } from '@rill/controller-quorum';
import { formatHostPort } from '../config/addresses.js';
import type { BrokerView, ClusterView, TopicView } from './cluster-view.js';

/**
 * The request handlers' read model, built from a committed MetadataImage. Fenced brokers
 * are left out: clients must not be sent to a broker that may not lead.
 */
export function clusterViewFrom(image: MetadataImage, options: { clusterId: string; selfId: number }): ClusterView {
  const brokers: BrokerView[] = [];
  const internalAddresses = new Map<number, string>();
  const incarnations = new Map<number, string>();
  for (const broker of image.cluster.brokers.values()) {
    internalAddresses.set(broker.nodeId, formatHostPort(broker.internalAddress));
    incarnations.set(broker.nodeId, broker.incarnationId);
    if (broker.fenced) continue;
    brokers.push({ nodeId: broker.nodeId, rack: broker.rack, endpoints: broker.endpoints });
  }
  brokers.sort((a, b) => a.nodeId - b.nodeId);
  const topics = new Map<string, TopicView>();
  for (const topic of image.topics.byName.values()) {
    const configs = Object.fromEntries(image.configs.topic.get(topic.name) ?? []);
    const partitions = [...topic.partitions.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partition, p]) => ({ partition, leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, replicas: p.replicas, isr: p.isr }));
    topics.set(topic.name, { name: topic.name, topicId: topic.topicId, partitions, configs });
  }
  // kafkajs sends admin requests to the controller id of a Metadata response, so it must be
  // a live broker of that response. Every broker forwards admin requests to the active
  // controller, and the broker answering is surely alive: it names itself (Kafka in KRaft
  // mode also names a broker, not the quorum leader).
  return { clusterId: options.clusterId, controllerId: options.selfId, brokers, internalAddresses, incarnations, topics };
}
