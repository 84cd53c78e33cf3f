import { DescribeConfigs, ErrorCode, type DescribeConfigsRequest, type DescribeConfigsResponseInput } from '@rill/protocol';
import { topicsPerRequestMax } from '../limits.js';
import {
  ConfigSource,
  ResourceType,
  brokerResourceProblem,
  describeBrokerConfigs,
  describeTopicConfigs,
  resourceError,
  topicResourceProblem,
  unsupportedResourceType,
  type DescribedConfig,
  type ResourceError,
} from './config-resources.js';
import { defineHandler, type RequestContext } from './handler.js';

type Resource = DescribeConfigsRequest['resources'][number];
type Result = DescribeConfigsResponseInput['results'][number];

/**
 * DescribeConfigs v0–2. A topic answers every topic config we honour, with its value and
 * where it comes from (the topic's override, the node's properties, or Kafka's default); a
 * broker (named by this node's id) answers its properties, all read-only; '' — the
 * cluster-wide dynamic defaults — answers none, as we have none. Synonyms only when asked
 * (v1+). v0 has no source, only isDefault.
 */
export const describeConfigsHandler = defineHandler({
  schema: DescribeConfigs,
  minVersion: 0,
  maxVersion: 2,
  handle(request, context) {
    const results = request.resources.map((resource, position): Result => {
      const found =
        position >= topicsPerRequestMax
          ? resourceError(ErrorCode.INVALID_REQUEST, `at most ${topicsPerRequestMax} resources per request`)
          : configsOf(resource, context);
      if (!Array.isArray(found)) return { ...found, resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [] };
      const wanted = resource.configurationKeys === null ? null : new Set(resource.configurationKeys);
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        configs: found.filter((c) => wanted === null || wanted.has(c.name)).map((c) => entry(c, request.includeSynonyms)),
      };
    });
    return { throttleTimeMs: 0, results };
  },
});

function configsOf(resource: Resource, context: RequestContext): DescribedConfig[] | ResourceError {
  const { services } = context;
  switch (resource.resourceType) {
    case ResourceType.TOPIC: {
      const view = services.metadata.current();
      const problem = topicResourceProblem(view, resource.resourceName);
      if (problem !== null) return problem;
      return describeTopicConfigs(services.config, view.topics.get(resource.resourceName)!.configs);
    }
    case ResourceType.BROKER: {
      const problem = brokerResourceProblem(services.nodeId, resource.resourceName);
      if (problem !== null) return problem;
      return resource.resourceName === '' ? [] : describeBrokerConfigs(services.config);
    }
    default:
      return unsupportedResourceType(resource.resourceType);
  }
}

function entry(config: DescribedConfig, includeSynonyms: boolean): Result['configs'][number] {
  return {
    name: config.name,
    value: config.value,
    readOnly: config.readOnly,
    isDefault: config.source === ConfigSource.DEFAULT_CONFIG,
    configSource: config.source,
    isSensitive: config.sensitive,
    synonyms: includeSynonyms ? [...config.synonyms] : [],
  };
}
