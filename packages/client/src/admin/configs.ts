import { ApiKey, ErrorCode } from '@rill/protocol';
import { InvalidArgumentError, KafkaError, throwCollected } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { onController } from './topics.js';

export type ConfigResourceType = 'topic' | 'broker';

/** Kafka's ConfigResource.Type codes. */
const resourceTypeCode: Record<ConfigResourceType, number> = { topic: 2, broker: 4 };

/** Kafka's ConfigSource names, by the code DescribeConfigs v1+ returns. */
const sourceNames = new Map<number, ConfigSource>([
  [1, 'dynamic-topic'],
  [2, 'dynamic-broker'],
  [3, 'dynamic-default-broker'],
  [4, 'static-broker'],
  [5, 'default'],
  [6, 'dynamic-broker-logger'],
]);

export type ConfigSource =
  | 'dynamic-topic'
  | 'dynamic-broker'
  | 'dynamic-default-broker'
  | 'static-broker'
  | 'default'
  | 'dynamic-broker-logger'
  | 'unknown';

export interface ConfigEntry {
  readonly name: string;
  readonly value: string | null;
  readonly source: ConfigSource;
  readonly readOnly: boolean;
  readonly sensitive: boolean;
}

export interface ConfigResource {
  readonly type: ConfigResourceType;
  /** A topic name, or a broker's node id as text. */
  readonly name: string;
}

/** DescribeConfigs for one resource; broker configs are asked of that broker itself. */
export async function describeConfigs(
  cluster: Cluster,
  resource: ConfigResource,
  keys?: readonly string[],
): Promise<ConfigEntry[]> {
  const connection =
    resource.type === 'broker'
      ? await cluster.nodeConnection(brokerId(resource.name))
      : await cluster.anyConnection();
  const response = await connection.request(ApiKey.DescribeConfigs, {
    resources: [
      {
        resourceType: resourceTypeCode[resource.type],
        resourceName: resource.name,
        configurationKeys: keys ? [...keys] : null,
      },
    ],
    includeSynonyms: false,
  });
  const result = response.results[0];
  if (result === undefined) return [];
  if (result.errorCode !== ErrorCode.NONE) {
    throw new KafkaError(result.errorCode, {
      apiName: 'DescribeConfigs',
      topic: resource.type === 'topic' ? resource.name : undefined,
      brokerMessage: result.errorMessage,
    });
  }
  return result.configs
    .map(
      (c) =>
        ({
          name: c.name,
          value: c.value,
          // v0 has only isDefault; v1+ names the source.
          source:
            c.configSource >= 0
              ? (sourceNames.get(c.configSource) ?? 'unknown')
              : c.isDefault
                ? 'default'
                : 'dynamic-topic',
          readOnly: c.readOnly,
          sensitive: c.isSensitive,
        }) satisfies ConfigEntry,
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface ConfigChanges {
  readonly set?: Readonly<Record<string, string>>;
  readonly delete?: readonly string[];
}

/**
 * Changes some configs of a resource. AlterConfigs v0–1 replaces the whole set of dynamic
 * configs, so the current dynamic ones are read first and carried over; two admins altering
 * the same resource at once can lose one change (IncrementalAlterConfigs would not).
 */
export async function alterConfigs(
  cluster: Cluster,
  resource: ConfigResource,
  changes: ConfigChanges,
): Promise<void> {
  const dynamicSource: ConfigSource =
    resource.type === 'topic' ? 'dynamic-topic' : 'dynamic-broker';
  const current = await describeConfigs(cluster, resource);
  const next = new Map(
    current.filter((c) => c.source === dynamicSource && !c.sensitive).map((c) => [c.name, c.value]),
  );
  for (const name of changes.delete ?? []) next.delete(name);
  for (const [name, value] of Object.entries(changes.set ?? {})) next.set(name, value);
  await onController(cluster, async () => {
    const connection =
      resource.type === 'broker'
        ? await cluster.nodeConnection(brokerId(resource.name))
        : await cluster.controllerConnection();
    const response = await connection.request(ApiKey.AlterConfigs, {
      resources: [
        {
          resourceType: resourceTypeCode[resource.type],
          resourceName: resource.name,
          configs: [...next].map(([name, value]) => ({ name, value })),
        },
      ],
      validateOnly: false,
    });
    const errors = response.responses
      .filter((r) => r.errorCode !== ErrorCode.NONE)
      .map(
        (r) =>
          new KafkaError(r.errorCode, {
            apiName: 'AlterConfigs',
            topic: r.resourceName,
            brokerMessage: r.errorMessage,
          }),
      );
    throwCollected('AlterConfigs failed', errors);
  });
}

function brokerId(name: string): number {
  const id = Number(name);
  if (!Number.isInteger(id) || id < 0)
    throw new InvalidArgumentError(`a broker config resource is named by node id, got "${name}"`);
  return id;
}
