import type { ConfigOperationKind, TopicConfigOperation } from '@rill/controller-quorum';
import {
  ConfigOperation,
  ErrorCode,
  IncrementalAlterConfigs,
  type IncrementalAlterConfigsRequest,
} from '@rill/protocol';
import { alterResources, resourceError, type ResourceChange } from './config-resources.js';
import { defineHandler } from './handler.js';

type Resource = IncrementalAlterConfigsRequest['resources'][number];

const operationKinds = new Map<number, ConfigOperationKind>([
  [ConfigOperation.SET, 'set'],
  [ConfigOperation.DELETE, 'delete'],
  [ConfigOperation.APPEND, 'append'],
  [ConfigOperation.SUBTRACT, 'subtract'],
]);

/**
 * IncrementalAlterConfigs v0–1 (v1 flexible): each config carries its own operation — set,
 * delete (back to the default), append or subtract (list configs only) — and configs not
 * named keep their values. Same path as AlterConfigs: the active controller validates and
 * commits, the answer waits until this broker has replayed the change.
 */
export const incrementalAlterConfigsHandler = defineHandler({
  schema: IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, context) {
    const resources = request.resources.map(parse);
    const outcomes = await alterResources(resources, { replace: false, validateOnly: request.validateOnly }, context);
    return { throttleTimeMs: 0, responses: outcomes };
  },
});

function parse(resource: Resource): ResourceChange {
  const { resourceType, resourceName } = resource;
  const operations: TopicConfigOperation[] = [];
  for (const config of resource.configs) {
    const op = operationKinds.get(config.configOperation);
    if (op === undefined) {
      const problem = resourceError(ErrorCode.INVALID_REQUEST, `unknown config operation ${config.configOperation} for '${config.name}'`);
      return { resourceType, resourceName, operations: problem };
    }
    if (op !== 'delete' && config.value === null) {
      const problem = resourceError(ErrorCode.INVALID_CONFIG, `config '${config.name}' has no value to ${op}`);
      return { resourceType, resourceName, operations: problem };
    }
    operations.push({ key: config.name, op, value: config.value ?? '' });
  }
  return { resourceType, resourceName, operations };
}
