import { ApiKey, getApi } from '@rill/protocol';
import { UnsupportedFeatureError } from '../errors.js';

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The versions of each API this client can speak. The request actually sent uses
 * min(our max, the broker's max), as kafkajs and librdkafka do; below our min the API is
 * unusable against that broker.
 */
export const clientVersions: ReadonlyMap<number, VersionRange> = new Map([
  // Produce v3+ and Fetch v4+ carry magic-2 record batches, the only format we write or read.
  // producer/produce-request.ts encodes exactly Produce v3-v7: widen both together.
  [ApiKey.Produce, { min: 3, max: 7 }],
  [ApiKey.Fetch, { min: 4, max: 11 }],
  [ApiKey.ListOffsets, { min: 1, max: 3 }],
  // v1+: a null topic list means every topic and an empty one means none.
  [ApiKey.Metadata, { min: 1, max: 4 }],
  // v2+ has a retention time we leave at -1 (broker default) and the generation/member fields.
  [ApiKey.OffsetCommit, { min: 2, max: 5 }],
  [ApiKey.OffsetFetch, { min: 1, max: 5 }],
  [ApiKey.FindCoordinator, { min: 0, max: 2 }],
  [ApiKey.JoinGroup, { min: 0, max: 4 }],
  [ApiKey.Heartbeat, { min: 0, max: 2 }],
  [ApiKey.LeaveGroup, { min: 0, max: 2 }],
  [ApiKey.SyncGroup, { min: 0, max: 2 }],
  [ApiKey.DescribeGroups, { min: 0, max: 2 }],
  [ApiKey.ListGroups, { min: 0, max: 2 }],
  [ApiKey.ApiVersions, { min: 0, max: 3 }],
  [ApiKey.CreateTopics, { min: 0, max: 4 }],
  [ApiKey.DeleteTopics, { min: 0, max: 3 }],
  [ApiKey.InitProducerId, { min: 0, max: 1 }],
  [ApiKey.DescribeConfigs, { min: 0, max: 2 }],
  [ApiKey.AlterConfigs, { min: 0, max: 1 }],
  [ApiKey.CreatePartitions, { min: 0, max: 1 }],
  [ApiKey.DeleteGroups, { min: 0, max: 1 }],
  // v1 is flexible.
  [ApiKey.IncrementalAlterConfigs, { min: 0, max: 1 }],
  // Flexible from v0; v1 adds the last-fetch and caught-up times.
  [ApiKey.DescribeQuorum, { min: 0, max: 1 }],
]);

/** What one broker advertised in ApiVersions, by API key. */
export type BrokerVersions = ReadonlyMap<number, VersionRange>;

export function apiName(apiKey: number): string {
  return getApi(apiKey)?.name ?? `api ${apiKey}`;
}

/** The version to use for `apiKey` with a broker, or undefined if the two share none. */
export function pickVersion(apiKey: number, broker: BrokerVersions): number | undefined {
  const ours = clientVersions.get(apiKey);
  const theirs = broker.get(apiKey);
  if (ours === undefined || theirs === undefined) return undefined;
  const version = Math.min(ours.max, theirs.max);
  return version >= Math.max(ours.min, theirs.min) ? version : undefined;
}

/** Like pickVersion, but an API the broker cannot serve is an UnsupportedFeatureError. */
export function requireVersion(apiKey: number, broker: BrokerVersions, address: string): number {
  const version = pickVersion(apiKey, broker);
  if (version !== undefined) return version;
  const theirs = broker.get(apiKey);
  const ours = clientVersions.get(apiKey);
  const advertised =
    theirs === undefined ? 'does not serve it' : `serves v${theirs.min}-${theirs.max}`;
  const spoken = ours === undefined ? 'none' : `v${ours.min}-${ours.max}`;
  throw new UnsupportedFeatureError(
    `broker ${address} cannot serve ${apiName(apiKey)}: it ${advertised}, this client speaks ${spoken}`,
  );
}
