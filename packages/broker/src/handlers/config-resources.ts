import {
  listTopicConfigDefaults,
  supportedTopicConfigs,
  topicNameProblem,
  type TopicConfigOperation,
} from '@rill/controller-quorum';
import { ErrorCode } from '@rill/protocol';
import { definitionOf, type BrokerConfig, type ConfigValue } from '../config/broker-config.js';
import { propertyDefinitions, topicConfigSynonyms } from '../config/definitions.js';
import { topicsPerRequestMax } from '../limits.js';
import type { ClusterView } from '../metadata/cluster-view.js';
import type { TopicConfigChange } from '../metadata/metadata-store.js';
import type { RequestContext } from './handler.js';

/**
 * What the config APIs (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs) share: Kafka's
 * resource types and config sources, which resources this broker answers for, and every
 * config of a topic or of this broker with where its value comes from.
 */

/** Kafka's ConfigResource.Type ids. */
export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;

/** Kafka's DescribeConfigs ConfigSource ids (v1+). */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
}

export interface DescribedConfig {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
  readonly readOnly: boolean;
  readonly sensitive: boolean;
  /** Where the value could come from, the one in force first (Kafka's order). */
  readonly synonyms: readonly ConfigSynonym[];
}

/** A resource-level failure: the error code and message DescribeConfigs/AlterConfigs answer. */
export interface ResourceError {
  readonly errorCode: number;
  readonly errorMessage: string;
}

export function resourceError(errorCode: number, errorMessage: string): ResourceError {
  return { errorCode, errorMessage };
}

/** Why a topic resource cannot be described or altered here, or null when it exists. */
export function topicResourceProblem(view: ClusterView, name: string): ResourceError | null {
  const problem = topicNameProblem(name);
  if (problem !== null) return resourceError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
  if (!view.topics.has(name)) return resourceError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no topic named '${name}'`);
  return null;
}

/**
 * A broker resource is named by node id, or '' for the cluster-wide defaults. Kafka answers
 * a broker's configs only on that broker: another id is INVALID_REQUEST.
 */
export function brokerResourceProblem(nodeId: number, name: string): ResourceError | null {
  if (name === '' || name === String(nodeId)) return null;
  if (!/^\d+$/.test(name)) return resourceError(ErrorCode.INVALID_REQUEST, `a broker resource is named by its node id, not '${name}'`);
  return resourceError(ErrorCode.INVALID_REQUEST, `this is broker ${nodeId}: ask broker ${name} for its own configs`);
}

export function unsupportedResourceType(resourceType: number): ResourceError {
  return resourceError(ErrorCode.INVALID_REQUEST, `resource type ${resourceType} is not supported (topics are 2, brokers 4)`);
}

/**
 * Every topic config we honour, with its value for this topic: the topic's override
 * (DYNAMIC_TOPIC_CONFIG), else the broker property it defaults to, set in the node's
 * properties (STATIC_BROKER_CONFIG) or left at Kafka's default (DEFAULT_CONFIG).
 */
export function describeTopicConfigs(config: BrokerConfig, overrides: Readonly<Record<string, string>>): DescribedConfig[] {
  const values = new Map(config.entries());
  return supportedTopicConfigs.map((name) => {
    const override = overrides[name];
    const topicSynonym: ConfigSynonym[] =
      override === undefined ? [] : [{ name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }];
    const brokerKey = brokerSynonymOf(name);
    const brokerSynonyms: ConfigSynonym[] =
      brokerKey === null ? fixedDefault(name) : propertySynonyms(config, values, brokerKey);
    const synonyms = [...topicSynonym, ...brokerSynonyms];
    const inForce = synonyms[0];
    return {
      name,
      value: inForce?.value ?? null,
      source: inForce?.source ?? ConfigSource.DEFAULT_CONFIG,
      readOnly: false,
      sensitive: false,
      synonyms,
    };
  });
}

/**
 * This broker's properties. None can change at run time (no dynamic broker configs yet), so
 * all are read-only; none is secret today.
 */
export function describeBrokerConfigs(config: BrokerConfig): DescribedConfig[] {
  const values = new Map(config.entries());
  return propertyDefinitions
    .map((definition) => {
      const synonyms = propertySynonyms(config, values, definition.name);
      const inForce = synonyms[0];
      return {
        name: definition.name,
        value: inForce?.value ?? null,
        source: inForce?.source ?? ConfigSource.DEFAULT_CONFIG,
        readOnly: true,
        sensitive: false,
        synonyms,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The broker property a topic config defaults to, if any. */
function brokerSynonymOf(topicKey: string): string | null {
  const named = topicConfigSynonyms[topicKey];
  if (named !== undefined) return named;
  return definitionOf(topicKey) !== undefined ? topicKey : null;
}

/** A topic config with no broker property behind it (cleanup.policy): Kafka's default. */
function fixedDefault(name: string): ConfigSynonym[] {
  const value = listTopicConfigDefaults.get(name);
  return value === undefined ? [] : [{ name, value, source: ConfigSource.DEFAULT_CONFIG }];
}

/** A property's value from the node's properties (if set there), then its default. */
function propertySynonyms(config: BrokerConfig, values: ReadonlyMap<string, ConfigValue>, name: string): ConfigSynonym[] {
  const synonyms: ConfigSynonym[] = [];
  if (config.source(name) !== 'default') {
    synonyms.push({ name, value: configText(values.get(name) ?? null), source: ConfigSource.STATIC_BROKER_CONFIG });
  }
  const fallback = definitionOf(name)?.default ?? null;
  if (fallback !== null) synonyms.push({ name, value: fallback, source: ConfigSource.DEFAULT_CONFIG });
  else if (synonyms.length === 0) synonyms.push({ name, value: null, source: ConfigSource.DEFAULT_CONFIG });
  return synonyms;
}

/** A parsed property as Kafka prints it: lists comma-separated. */
function configText(value: ConfigValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** One resource of an AlterConfigs or IncrementalAlterConfigs request, parsed. */
export interface ResourceChange {
  readonly resourceType: number;
  readonly resourceName: string;
  /** The changes asked for, or why the request for this resource is malformed. */
  readonly operations: readonly TopicConfigOperation[] | ResourceError;
}

export interface ResourceOutcome {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly resourceType: number;
  readonly resourceName: string;
}

/**
 * Runs the topic changes of an AlterConfigs-style request on the active controller and
 * answers every resource in request order. A resource named twice is refused each time
 * (INVALID_REQUEST, as Kafka does); broker resources cannot change (no dynamic broker
 * configs: INVALID_REQUEST, Kafka's answer for a config that is not dynamically updatable);
 * other resource types are INVALID_REQUEST.
 */
export async function alterResources(
  resources: readonly ResourceChange[],
  options: { readonly replace: boolean; readonly validateOnly: boolean },
  context: RequestContext,
): Promise<ResourceOutcome[]> {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(`${r.resourceType}:${r.resourceName}`, (counts.get(`${r.resourceType}:${r.resourceName}`) ?? 0) + 1);
  const outcomes: ({ errorCode: number; errorMessage: string | null } | null)[] = [];
  const forwarded: { index: number; change: TopicConfigChange }[] = [];
  for (const [index, resource] of resources.entries()) {
    const refusal =
      index >= topicsPerRequestMax
        ? resourceError(ErrorCode.INVALID_REQUEST, `at most ${topicsPerRequestMax} resources per request`)
        : counts.get(`${resource.resourceType}:${resource.resourceName}`)! > 1
          ? resourceError(ErrorCode.INVALID_REQUEST, `resource '${resource.resourceName}' appears twice in the request`)
          : checkChange(resource, context.services.nodeId);
    outcomes.push(refusal);
    if (refusal === null && resource.resourceType === ResourceType.TOPIC) {
      const operations = resource.operations as readonly TopicConfigOperation[];
      forwarded.push({ index, change: { name: resource.resourceName, replace: options.replace, operations } });
    }
  }
  const answers = await context.services.metadata.alterTopicConfigs(forwarded.map((f) => f.change), { validateOnly: options.validateOnly });
  for (const [position, { index }] of forwarded.entries()) {
    const answer = answers[position]!;
    outcomes[index] = { errorCode: answer.errorCode, errorMessage: answer.errorMessage };
  }
  return resources.map((resource, index) => {
    const outcome = outcomes[index] ?? { errorCode: ErrorCode.NONE, errorMessage: null };
    return { ...outcome, resourceType: resource.resourceType, resourceName: resource.resourceName };
  });
}

/** Null when the change may go to the controller (topics) or needs nothing (empty, broker). */
function checkChange(resource: ResourceChange, nodeId: number): ResourceError | null {
  if (!Array.isArray(resource.operations)) return resource.operations as ResourceError;
  const operations = resource.operations as readonly TopicConfigOperation[];
  switch (resource.resourceType) {
    case ResourceType.TOPIC:
      return null;
    case ResourceType.BROKER: {
      const problem = brokerResourceProblem(nodeId, resource.resourceName);
      if (problem !== null || operations.length === 0) return problem;
      const keys = operations.map((o) => o.key).join(', ');
      return resourceError(
        ErrorCode.INVALID_REQUEST,
        `cannot update these configs dynamically: ${keys}; broker configs are read from the node's properties at start`,
      );
    }
    default:
      return unsupportedResourceType(resource.resourceType);
  }
}
