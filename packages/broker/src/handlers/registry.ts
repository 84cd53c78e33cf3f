import { alterConfigsHandler } from './alter-configs.js';
import { apiVersionsHandler, type AdvertisedRange } from './api-versions.js';
import { createPartitionsHandler } from './create-partitions.js';
import { createTopicsHandler } from './create-topics.js';
import { deleteGroupsHandler } from './delete-groups.js';
import { deleteTopicsHandler } from './delete-topics.js';
import { describeConfigsHandler } from './describe-configs.js';
import { describeGroupsHandler } from './describe-groups.js';
import { describeQuorumHandler } from './describe-quorum.js';
import { fetchHandler } from './fetch.js';
import { findCoordinatorHandler } from './find-coordinator.js';
import type { AnyApiHandler } from './handler.js';
import { heartbeatHandler } from './heartbeat.js';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.js';
import { initProducerIdHandler } from './init-producer-id.js';
import { joinGroupHandler } from './join-group.js';
import { leaveGroupHandler } from './leave-group.js';
import { listGroupsHandler } from './list-groups.js';
import { listOffsetsHandler } from './list-offsets.js';
import { metadataHandler } from './metadata.js';
import { offsetCommitHandler } from './offset-commit.js';
import { offsetFetchHandler } from './offset-fetch.js';
import { produceHandler } from './produce.js';
import { syncGroupHandler } from './sync-group.js';

export interface HandlerRegistry {
  get(apiKey: number): AnyApiHandler | undefined;
  advertised(): readonly AdvertisedRange[];
}

/** Every API this node serves. Dispatch and the ApiVersions answer both come from here. */
export function buildHandlerRegistry(): HandlerRegistry {
  const byKey = new Map<number, AnyApiHandler>();
  const advertised = (): AdvertisedRange[] =>
    [...byKey.values()]
      .map((h) => ({ apiKey: h.schema.apiKey, minVersion: h.advertisedMinVersion ?? h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  const handlers = [
    produceHandler,
    fetchHandler,
    listOffsetsHandler,
    metadataHandler,
    apiVersionsHandler(advertised),
    createTopicsHandler,
    deleteTopicsHandler,
    createPartitionsHandler,
    initProducerIdHandler,
    describeConfigsHandler,
    alterConfigsHandler,
    incrementalAlterConfigsHandler,
    describeQuorumHandler,
    findCoordinatorHandler,
    joinGroupHandler,
    syncGroupHandler,
    heartbeatHandler,
    leaveGroupHandler,
    offsetCommitHandler,
    offsetFetchHandler,
    listGroupsHandler,
    describeGroupsHandler,
    deleteGroupsHandler,
  ];
  for (const handler of handlers) byKey.set(handler.schema.apiKey, handler);
  return { get: (apiKey) => byKey.get(apiKey), advertised };
}
