import { isBrokerLive, type MetadataImage } from '../metadata/image.js';
import { int32Max, listenersPerBrokerMax, stringLengthMax } from '../metadata/limits.js';
import {
  canonicalUuid,
  noLeader,
  type Endpoint,
  type InternalAddress,
  type MetadataRecord,
} from '../metadata/records.js';
import { ErrorCode as Code } from '@rill/protocol';
import { reelectPartitions, type ElectionOptions } from './partition-election.js';
import { failure, success, type ControllerResult, type Outcome } from './result.js';

/**
 * Broker lifecycle. Session timing (broker.session.timeout.ms, heartbeats) lives in the
 * controller's driver, which has a clock: it calls fenceBroker when a session lapses and
 * unfenceBroker once a registered broker has caught up with the metadata log.
 */

export interface RegisterBrokerRequest {
  readonly nodeId: number;
  readonly incarnationId: string;
  readonly endpoints: readonly Endpoint[];
  readonly internalAddress: InternalAddress;
  readonly rack: string | null;
}

/**
 * BrokerRegistration. A broker registers fenced. A retry from the same incarnation changes
 * nothing; a new incarnation (a restart) replaces the registration and, if the old one was
 * live, moves leadership away as fencing would — the restarted process lost its state.
 */
export function registerBroker(
  image: MetadataImage,
  request: RegisterBrokerRequest,
  options: ElectionOptions,
): ControllerResult<Outcome> {
  const problem = registrationProblem(request);
  if (problem !== null) return { records: [], response: failure(Code.INVALID_REQUEST, problem) };
  const existing = image.cluster.brokers.get(request.nodeId);
  if (existing?.incarnationId === request.incarnationId) return { records: [], response: success };
  const { nodeId, incarnationId, endpoints, internalAddress, rack } = request;
  const records: MetadataRecord[] = [
    {
      type: 'registerBroker',
      nodeId,
      incarnationId,
      endpoints,
      internalAddress,
      rack,
      fenced: true,
    },
  ];
  if (existing !== undefined && !existing.fenced)
    records.push(...moveAwayFrom(image, request.nodeId, options));
  return { records, response: success };
}

function registrationProblem(request: RegisterBrokerRequest): string | null {
  if (!Number.isInteger(request.nodeId) || request.nodeId < 0 || request.nodeId > int32Max) {
    return `node id ${request.nodeId} is not a valid node id`;
  }
  if (!canonicalUuid.test(request.incarnationId)) return 'the incarnation id is not a UUID';
  if (request.endpoints.length === 0 || request.endpoints.length > listenersPerBrokerMax) {
    return `a broker registers between 1 and ${listenersPerBrokerMax} listeners`;
  }
  for (const address of [...request.endpoints, request.internalAddress]) {
    if (!Number.isInteger(address.port) || address.port < 0 || address.port > 0xffff)
      return `port ${address.port}`;
    if (address.host.length === 0 || address.host.length > stringLengthMax)
      return 'a host name is empty or too long';
  }
  for (const endpoint of request.endpoints) {
    if (endpoint.name.length === 0 || endpoint.name.length > stringLengthMax)
      return 'a listener name is empty or too long';
  }
  if (request.rack !== null && request.rack.length > stringLengthMax)
    return 'the rack name is too long';
  return null;
}

/** Fences a broker whose session lapsed, and re-elects the partitions it led. */
export function fenceBroker(
  image: MetadataImage,
  nodeId: number,
  options: ElectionOptions,
): ControllerResult<Outcome> {
  const broker = image.cluster.brokers.get(nodeId);
  if (broker === undefined) return notRegistered(nodeId);
  if (broker.fenced) return { records: [], response: success };
  return {
    records: [{ type: 'fenceBroker', nodeId }, ...moveAwayFrom(image, nodeId, options)],
    response: success,
  };
}

/** Unfences a caught-up broker; offline partitions it may lead come back with it as leader. */
export function unfenceBroker(
  image: MetadataImage,
  nodeId: number,
  options: ElectionOptions,
): ControllerResult<Outcome> {
  const broker = image.cluster.brokers.get(nodeId);
  if (broker === undefined) return notRegistered(nodeId);
  if (!broker.fenced) return { records: [], response: success };
  const elections = reelectPartitions(
    image,
    {
      isLive: (id) => id === nodeId || isBrokerLive(image.cluster, id),
      affects: (partition) => partition.leader === noLeader && partition.replicas.includes(nodeId),
    },
    options,
  );
  return { records: [{ type: 'unfenceBroker', nodeId }, ...elections], response: success };
}

/** Removes a broker for good (decommissioning); its partitions are re-elected first. */
export function unregisterBroker(
  image: MetadataImage,
  nodeId: number,
  options: ElectionOptions,
): ControllerResult<Outcome> {
  if (!image.cluster.brokers.has(nodeId)) return notRegistered(nodeId);
  return {
    records: [...moveAwayFrom(image, nodeId, options), { type: 'unregisterBroker', nodeId }],
    response: success,
  };
}

/** Partition changes that take `nodeId` out of leadership and, where safe, out of ISRs. */
function moveAwayFrom(
  image: MetadataImage,
  nodeId: number,
  options: ElectionOptions,
): MetadataRecord[] {
  return reelectPartitions(
    image,
    {
      isLive: (id) => id !== nodeId && isBrokerLive(image.cluster, id),
      affects: (partition) => partition.isr.includes(nodeId),
    },
    options,
  );
}

function notRegistered(nodeId: number): ControllerResult<Outcome> {
  return {
    records: [],
    response: failure(Code.BROKER_ID_NOT_REGISTERED, `broker ${nodeId} is not registered`),
  };
}
