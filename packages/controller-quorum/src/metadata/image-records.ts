import type { ConfigEntries, MetadataImage } from './image.js';
import type { ConfigRecord, ConfigResourceType, MetadataRecord } from './records.js';

/**
 * The records that rebuild `image` from empty, in one canonical order (brokers by id, topics
 * by id with their partitions by index, configs by resource and key). Snapshots are these
 * records, and the image hash is taken over them, so equal images give equal bytes.
 */
export function imageRecords(image: MetadataImage): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const id of sortedKeys(image.cluster.brokers)) {
    records.push({ type: 'registerBroker', ...image.cluster.brokers.get(id)! });
  }
  for (const topicId of sortedKeys(image.topics.byId)) {
    const topic = image.topics.byId.get(topicId)!;
    records.push({ type: 'topic', name: topic.name, topicId });
    for (const partition of sortedKeys(topic.partitions)) {
      records.push({ type: 'partition', topicId, partition, ...topic.partitions.get(partition)! });
    }
  }
  pushConfigs(records, 'broker', image.configs.broker);
  pushConfigs(records, 'topic', image.configs.topic);
  const block = image.producerIds.lastBlock;
  if (block !== null) records.push({ type: 'producerIdsBlock', ...block });
  return records;
}

function pushConfigs(
  records: MetadataRecord[],
  resourceType: ConfigResourceType,
  resources: ReadonlyMap<string, ConfigEntries>,
): void {
  for (const resourceName of sortedKeys(resources)) {
    const entries = resources.get(resourceName)!;
    for (const key of sortedKeys(entries)) {
      const record: ConfigRecord = {
        type: 'config',
        resourceType,
        resourceName,
        key,
        value: entries.get(key)!,
      };
      records.push(record);
    }
  }
}

/** Keys in code-unit order for strings and numeric order for numbers: stable everywhere. */
function sortedKeys<K extends string | number>(map: ReadonlyMap<K, unknown>): K[] {
  return [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
