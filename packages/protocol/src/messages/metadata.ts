import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/**
 * Metadata (3), v0–4. Topic list semantics differ by version: v0 empty = all topics;
 * v1+ null = all topics, empty = none.
 */
export const Metadata = {
  apiKey: 3,
  name: 'Metadata',
  validVersions: [0, 4],
  flexibleVersions: null,
  request: [
    {
      name: 'topics',
      type: 'array',
      nullableVersions: '1+',
      fields: [{ name: 'name', type: 'string' }],
    },
    { name: 'allowAutoTopicCreation', type: 'bool', versions: '4+', default: true },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+', default: 0 },
    {
      name: 'brokers',
      type: 'array',
      fields: [
        { name: 'nodeId', type: 'int32' },
        { name: 'host', type: 'string' },
        { name: 'port', type: 'int32' },
        { name: 'rack', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
      ],
    },
    { name: 'clusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: null },
    { name: 'controllerId', type: 'int32', versions: '1+', default: -1 },
    {
      name: 'topics',
      type: 'array',
      fields: [
        { name: 'errorCode', type: 'int16' },
        { name: 'name', type: 'string' },
        { name: 'isInternal', type: 'bool', versions: '1+', default: false },
        {
          name: 'partitions',
          type: 'array',
          fields: [
            { name: 'errorCode', type: 'int16' },
            { name: 'partitionIndex', type: 'int32' },
            { name: 'leaderId', type: 'int32' },
            { name: 'replicaNodes', type: 'int32[]' },
            { name: 'isrNodes', type: 'int32[]' },
          ],
        },
      ],
    },
  ],
} as const satisfies ApiSchema;

export type MetadataRequest = RequestOf<typeof Metadata>;
export type MetadataResponse = ResponseOf<typeof Metadata>;
export type MetadataRequestInput = RequestInput<typeof Metadata>;
export type MetadataResponseInput = ResponseInput<typeof Metadata>;
