import { ApiKey, ErrorCode } from '@rill/protocol';
import { InvalidArgumentError, KafkaError, throwCollected } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Connection } from '../network/connection.js';
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

export interface AlterConfigsOptions {
  /** Only check the change: the broker answers as it would, and changes nothing. */
  readonly validateOnly?: boolean;
}

/**
 * Changes some configs of a resource; the rest keep their values. Uses
 * IncrementalAlterConfigs (KIP-339) where the broker serves it. Older brokers only have
 * AlterConfigs v0–1, which replaces the whole set of dynamic configs: then the current
 * dynamic ones are read first and carried over, and two admins altering the same resource
 * at once can lose one change.
 */
export async function alterConfigs(
  cluster: Cluster,
  resource: ConfigResource,
  changes: ConfigChanges,
  options: AlterConfigsOptions = {},
): Promise<void> {
  const both = (changes.delete ?? []).filter((name) => Object.hasOwn(changes.set ?? {}, name));
  if (both.length > 0)
    throw new InvalidArgumentError(`configs both set and deleted: ${both.join(', ')}`);
  await onController(cluster, async () => {
    const connection =
      resource.type === 'broker'
        ? await cluster.nodeConnection(brokerId(resource.name))
        : await cluster.controllerConnection();
    const outcomes = connection.supports(ApiKey.IncrementalAlterConfigs)
      ? await alterIncrementally(connection, resource, changes, options)
      : await alterByReplacing(cluster, connection, resource, changes, options);
    const apiName = connection.supports(ApiKey.IncrementalAlterConfigs)
      ? 'IncrementalAlterConfigs'
      : 'AlterConfigs';
    const errors = outcomes
      .filter((r) => r.errorCode !== ErrorCode.NONE)
      .map(
        (r) =>
          new KafkaError(r.errorCode, {
            apiName,
            topic: resource.type === 'topic' ? r.resourceName : undefined,
            brokerMessage: r.errorMessage,
          }),
      );
    throwCollected(`${apiName} failed`, errors);
  });
}

type AlterOutcome = { errorCode: number; errorMessage: string | null; resourceName: string };

/** Kafka's AlterConfigOp ids. */
const SET = 0;
const DELETE = 1;

async function alterIncrementally(
  connection: Connection,
  resource: ConfigResource,
  changes: ConfigChanges,
  options: AlterConfigsOptions,
): Promise<AlterOutcome[]> {
  const configs = [
    ...Object.entries(changes.set ?? {}).map(([name, value]) => ({
      name,
      configOperation: SET,
      value,
    })),
    ...(changes.delete ?? []).map((name) => ({ name, configOperation: DELETE, value: null })),
  ];
  const response = await connection.request(ApiKey.IncrementalAlterConfigs, {
    resources: [{ resourceType: resourceTypeCode[resource.type], resourceName: resource.name, configs }],
    validateOnly: options.validateOnly ?? false,
  });
  return response.responses;
}

async function alterByReplacing(
  cluster: Cluster,
  connection: Connection,
  resource: ConfigResource,
  changes: ConfigChanges,
  options: AlterConfigsOptions,
): Promise<AlterOutcome[]> {
  const dynamicSource: ConfigSource =
    resource.type === 'topic' ? 'dynamic-topic' : 'dynamic-broker';
  const current = await describeConfigs(cluster, resource);
  const next = new Map(
    current.filter((c) => c.source === dynamicSource && !c.sensitive).map((c) => [c.name, c.value]),
  );
  for (const name of changes.delete ?? []) next.delete(name);
  for (const [name, value] of Object.entries(changes.set ?? {})) next.set(name, value);
  const response = await connection.request(ApiKey.AlterConfigs, {
    resources: [
      {
        resourceType: resourceTypeCode[resource.type],
        resourceName: resource.name,
        configs: [...next].map(([name, value]) => ({ name, value })),
      },
    ],
    validateOnly: options.validateOnly ?? false,
  });
  return response.responses;
}

function brokerId(name: string): number {
  const id = Number(name);
  if (!Number.isInteger(id) || id < 0)
    throw new InvalidArgumentError(`a broker config resource is named by node id, got "${name}"`);
  return id;
}
