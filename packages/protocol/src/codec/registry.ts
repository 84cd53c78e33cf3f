import { assert } from '@rill/base';
import { AlterConfigs } from '../messages/alter-configs.js';
import { ApiVersions } from '../messages/api-versions.js';
import { CreatePartitions } from '../messages/create-partitions.js';
import { CreateTopics } from '../messages/create-topics.js';
import { DeleteGroups } from '../messages/delete-groups.js';
import { DeleteTopics } from '../messages/delete-topics.js';
import { DescribeConfigs } from '../messages/describe-configs.js';
import { DescribeGroups } from '../messages/describe-groups.js';
import { DescribeQuorum } from '../messages/describe-quorum.js';
import { Fetch } from '../messages/fetch.js';
import { FindCoordinator } from '../messages/find-coordinator.js';
import { Heartbeat } from '../messages/heartbeat.js';
import { IncrementalAlterConfigs } from '../messages/incremental-alter-configs.js';
import { InitProducerId } from '../messages/init-producer-id.js';
import { JoinGroup } from '../messages/join-group.js';
import { LeaveGroup } from '../messages/leave-group.js';
import { ListGroups } from '../messages/list-groups.js';
import { ListOffsets } from '../messages/list-offsets.js';
import { Metadata } from '../messages/metadata.js';
import { OffsetCommit } from '../messages/offset-commit.js';
import { OffsetFetch } from '../messages/offset-fetch.js';
import { OffsetForLeaderEpoch } from '../messages/offset-for-leader-epoch.js';
import { Produce } from '../messages/produce.js';
import { SyncGroup } from '../messages/sync-group.js';
import type { ApiSchema, RequestInput, RequestOf, ResponseInput, ResponseOf } from '../schema/types.js';

/** Kafka API keys of every message we have a schema for. */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  CreatePartitions: 37,
  DeleteGroups: 42,
  IncrementalAlterConfigs: 44,
  DescribeQuorum: 55,
} as const;
export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];

export const apis = {
  [ApiKey.Produce]: Produce,
  [ApiKey.Fetch]: Fetch,
  [ApiKey.ListOffsets]: ListOffsets,
  [ApiKey.Metadata]: Metadata,
  [ApiKey.OffsetCommit]: OffsetCommit,
  [ApiKey.OffsetFetch]: OffsetFetch,
  [ApiKey.FindCoordinator]: FindCoordinator,
  [ApiKey.JoinGroup]: JoinGroup,
  [ApiKey.Heartbeat]: Heartbeat,
  [ApiKey.LeaveGroup]: LeaveGroup,
  [ApiKey.SyncGroup]: SyncGroup,
  [ApiKey.DescribeGroups]: DescribeGroups,
  [ApiKey.ListGroups]: ListGroups,
  [ApiKey.ApiVersions]: ApiVersions,
  [ApiKey.CreateTopics]: CreateTopics,
  [ApiKey.DeleteTopics]: DeleteTopics,
  [ApiKey.InitProducerId]: InitProducerId,
  [ApiKey.OffsetForLeaderEpoch]: OffsetForLeaderEpoch,
  [ApiKey.DescribeConfigs]: DescribeConfigs,
  [ApiKey.AlterConfigs]: AlterConfigs,
  [ApiKey.CreatePartitions]: CreatePartitions,
  [ApiKey.DeleteGroups]: DeleteGroups,
  [ApiKey.IncrementalAlterConfigs]: IncrementalAlterConfigs,
  [ApiKey.DescribeQuorum]: DescribeQuorum,
} as const satisfies Record<ApiKey, ApiSchema>;

for (const [key, schema] of Object.entries(apis)) {
  assert(Number(key) === schema.apiKey, `${schema.name} is registered under key ${key}`);
}

// Message types by key. A key only known at run time (a plain `number`) gives `unknown`,
// which lets a generic dispatcher call the codec without casting the key.
export type RequestFor<K extends number> = K extends ApiKey ? RequestOf<(typeof apis)[K]> : unknown;
export type ResponseFor<K extends number> = K extends ApiKey ? ResponseOf<(typeof apis)[K]> : unknown;
export type RequestInputFor<K extends number> = K extends ApiKey ? RequestInput<(typeof apis)[K]> : unknown;
export type ResponseInputFor<K extends number> = K extends ApiKey ? ResponseInput<(typeof apis)[K]> : unknown;

/** The schema for an API key taken from the wire, or undefined if we have none. */
export function getApi(apiKey: number): ApiSchema | undefined {
  return Object.hasOwn(apis, apiKey) ? apis[apiKey as ApiKey] : undefined;
}

export function isSupportedVersion(schema: ApiSchema, version: number): boolean {
  return version >= schema.validVersions[0] && version <= schema.validVersions[1];
}

export function isFlexibleVersion(schema: ApiSchema, version: number): boolean {
  return schema.flexibleVersions !== null && version >= schema.flexibleVersions;
}
