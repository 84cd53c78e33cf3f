import { AlterConfigs, ErrorCode, type AlterConfigsRequest } from '@rill/protocol';
import { alterResources, resourceError, type ResourceChange } from './config-resources.js';
import { defineHandler } from './handler.js';

type Resource = AlterConfigsRequest['resources'][number];

/**
 * AlterConfigs v0–1: the configs given become the resource's whole set of dynamic configs
 * (a topic's overrides not named return to their defaults). Topic changes are validated by
 * CreateTopics' rules, made by the active controller and answered once this broker has
 * replayed them; `validateOnly` checks without changing anything.
 */
export const alterConfigsHandler = defineHandler({
  schema: AlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, context) {
    const resources = request.resources.map(parse);
    const outcomes = await alterResources(resources, { replace: true, validateOnly: request.validateOnly }, context);
    return { throttleTimeMs: 0, responses: outcomes };
  },
});

function parse(resource: Resource): ResourceChange {
  const { resourceType, resourceName } = resource;
  const unset = resource.configs.filter((c) => c.value === null).map((c) => c.name);
  if (unset.length > 0) {
    const problem = resourceError(ErrorCode.INVALID_CONFIG, `null values are not supported: ${unset.join(', ')}`);
    return { resourceType, resourceName, operations: problem };
  }
  const operations = resource.configs.map((c) => ({ key: c.name, op: 'set' as const, value: c.value! }));
  return { resourceType, resourceName, operations };
}
