import type { MetadataDelta, MetadataImage, RaftCore } from '@rill/controller-quorum';
import type { NodeMetrics } from './metrics.js';

/** Gauges read off the metadata image and the quorum core when Prometheus scrapes. */
export function reportClusterState(metrics: NodeMetrics, image: MetadataImage, core: RaftCore, nodeId: number): void {
  let active = 0;
  let fenced = 0;
  for (const broker of image.cluster.brokers.values()) {
    if (broker.fenced) fenced++;
    else active++;
  }
  metrics.clusterBrokers.set({ state: 'active' }, active);
  metrics.clusterBrokers.set({ state: 'fenced' }, fenced);
  const isActiveController = core.role === 'leader';
  metrics.controllerActive.set(isActiveController ? 1 : 0);
  let offline = 0;
  let led = 0;
  for (const topic of image.topics.byId.values()) {
    for (const partition of topic.partitions.values()) {
      if (partition.leader < 0) offline++;
      if (partition.leader === nodeId) led++;
    }
  }
  metrics.partitionsOffline.set(isActiveController ? offline : 0);
  metrics.leaderPartitions.set(led);
}

/** Counts the leader elections a metadata update carries (a leader epoch bump with a leader). */
export function countLeaderElections(metrics: NodeMetrics, delta: MetadataDelta, image: MetadataImage): void {
  const before = delta.image.topics;
  if (before === image.topics) return;
  for (const [topicId, topic] of image.topics.byId) {
    const previous = before.byId.get(topicId);
    if (previous === undefined || previous === topic) continue;
    for (const [index, partition] of topic.partitions) {
      const old = previous.partitions.get(index);
      if (old === undefined || partition.leaderEpoch <= old.leaderEpoch || partition.leader < 0) continue;
      metrics.leaderElections.inc({ unclean: String(!old.isr.includes(partition.leader)) });
    }
  }
}
