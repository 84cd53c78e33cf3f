import { credentials, status, type Client, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  loadProto,
  type AllocateProducerIdsResponse,
  type AlterPartitionOutcome,
  type AlterPartitionRequest,
  type ConfigOperationKind,
} from '@rill/controller-quorum';
import type {
  NewTopic,
  PartitionIncrease,
  QuorumStatus,
  TopicConfigChange,
  TopicOutcome,
} from '../metadata/metadata-store.js';

/**
 * proto/controller.proto: how a broker reaches the active controller. Any broker accepts
 * admin requests from clients and forwards them here, so a client never has to chase the
 * controller itself (Kafka's KRaft forwarding does the same).
 */
export interface ControllerApi {
  createTopics(topics: readonly NewTopic[], validateOnly: boolean): Promise<Committed<TopicOutcome[]>>;
  deleteTopics(names: readonly string[]): Promise<Committed<TopicOutcome[]>>;
  createPartitions(increases: readonly PartitionIncrease[], validateOnly: boolean): Promise<Committed<TopicOutcome[]>>;
  registerBroker(registration: BrokerRegistrationRequest): Promise<Committed<number>>;
  /** A broker's sign of life; answers whether it is (still) fenced. */
  brokerHeartbeat(heartbeat: BrokerHeartbeat): Promise<Committed<{ errorCode: number; isFenced: boolean }>>;
  /** A partition leader's ISR change: one outcome per item, in request order. */
  alterPartition(request: AlterPartitionRequest): Promise<Committed<AlterPartitionOutcome[]>>;
  /** The broker's next block of producer ids, committed in the metadata log before the answer. */
  allocateProducerIds(request: AllocateProducerIdsRequest): Promise<Committed<AllocateProducerIdsResponse>>;
  /** Topic config changes, each topic committed on its own: one outcome per change, in order. */
  alterConfigs(changes: readonly TopicConfigChange[], validateOnly: boolean): Promise<Committed<TopicOutcome[]>>;
  /** The quorum as its leader sees it; any other node throws NotControllerError. */
  describeQuorum(): Promise<Committed<QuorumStatus>>;
}

export interface AllocateProducerIdsRequest {
  readonly brokerId: number;
  /** The registration the broker holds; an older one is refused with STALE_BROKER_EPOCH. */
  readonly incarnationId: string;
}

export interface BrokerHeartbeat {
  readonly brokerId: number;
  readonly incarnationId: string;
  /** Controlled shutdown: fence this broker now so its leaderships move before it exits. */
  readonly wantShutDown?: boolean;
}

/** An answer together with the metadata offset at which its change is committed (-1: none). */
export interface Committed<T> {
  readonly value: T;
  readonly committedOffset: number;
}

export interface BrokerRegistrationRequest {
  readonly brokerId: number;
  readonly incarnationId: string;
  readonly endpoints: readonly { name: string; host: string; port: number }[];
  readonly rack: string | null;
  readonly internalAddress: { host: string; port: number };
}

/** The controller is elsewhere or not elected: retry against the leader it names. */
export class NotControllerError extends Error {
  override readonly name = 'NotControllerError';
  constructor(readonly leaderId: number | null, message: string) {
    super(message);
  }
}

interface WireOutcome {
  name: string;
  errorCode: number;
  errorMessage: string;
}

type Callback<T> = (error: { code?: number; details?: string; message: string } | null, response?: T) => void;

interface ControllerClient extends Client {
  createTopics(request: object, options: { deadline: number }, callback: Callback<{ topics: WireOutcome[]; committedOffset: number }>): void;
  deleteTopics(request: object, options: { deadline: number }, callback: Callback<{ topics: WireOutcome[]; committedOffset: number }>): void;
  createPartitions(request: object, options: { deadline: number }, callback: Callback<{ topics: WireOutcome[]; committedOffset: number }>): void;
  registerBroker(request: object, options: { deadline: number }, callback: Callback<{ errorCode: number; committedOffset: number }>): void;
  brokerHeartbeat(request: object, options: { deadline: number }, callback: Callback<{ errorCode: number; isFenced: boolean }>): void;
  alterPartition(request: object, options: { deadline: number }, callback: Callback<WireAlterPartitionResponse>): void;
  allocateProducerIds(request: object, options: { deadline: number }, callback: Callback<WireAllocateProducerIdsResponse>): void;
  alterConfigs(request: object, options: { deadline: number }, callback: Callback<{ topics: WireOutcome[]; committedOffset: number }>): void;
  describeQuorum(request: object, options: { deadline: number }, callback: Callback<WireQuorumStatus>): void;
}

type ControllerClientConstructor = (new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => ControllerClient) & {
  service: ServiceDefinition;
};

const controllerPackage = loadProto('controller.proto')['rill'] as unknown as { controller: { Controller: ControllerClientConstructor } };

export const controllerService: ServiceDefinition = controllerPackage.controller.Controller.service;

const callDeadlineMs = 30_000;

/** gRPC status the service uses for "not the active controller"; details carry the leader id. */
const notControllerStatus = status.FAILED_PRECONDITION;

/** A client for the active controller at `address`. */
export function remoteController(address: string, clusterId: string): ControllerApi & { close(): void } {
  const client = new controllerPackage.controller.Controller(address, credentials.createInsecure());
  type Method =
    | 'createTopics' | 'deleteTopics' | 'createPartitions' | 'registerBroker' | 'brokerHeartbeat' | 'alterPartition'
    | 'allocateProducerIds' | 'alterConfigs' | 'describeQuorum';
  const call = <T>(method: Method, request: object): Promise<T> =>
    new Promise((resolve, reject) => {
      (client[method] as (r: object, o: { deadline: number }, c: Callback<T>) => void).call(
        client, { clusterId, ...request }, { deadline: Date.now() + callDeadlineMs },
        (error, response) => (error ? reject(translateError(error)) : resolve(response!)),
      );
    });
  return {
    async createTopics(topics, validateOnly) {
      const response = await call<{ topics: WireOutcome[]; committedOffset: number }>('createTopics', {
        topics: topics.map((t) => ({ ...t, assignments: (t.assignments ?? []).map((brokerIds) => ({ brokerIds })) })),
        validateOnly,
      });
      return { value: response.topics.map(fromWireOutcome), committedOffset: response.committedOffset };
    },
    async deleteTopics(names) {
      const response = await call<{ topics: WireOutcome[]; committedOffset: number }>('deleteTopics', { names });
      return { value: response.topics.map(fromWireOutcome), committedOffset: response.committedOffset };
    },
    async createPartitions(increases, validateOnly) {
      const response = await call<{ topics: WireOutcome[]; committedOffset: number }>('createPartitions', {
        topics: increases.map((t) => ({ ...t, assignments: (t.assignments ?? []).map((brokerIds) => ({ brokerIds })) })),
        validateOnly,
      });
      return { value: response.topics.map(fromWireOutcome), committedOffset: response.committedOffset };
    },
    async registerBroker(registration) {
      const response = await call<{ errorCode: number; committedOffset: number }>('registerBroker', {
        ...registration,
        rack: registration.rack ?? '',
        internalAddress: `${registration.internalAddress.host}:${registration.internalAddress.port}`,
      });
      return { value: response.errorCode, committedOffset: response.committedOffset };
    },
    async brokerHeartbeat(heartbeat) {
      const response = await call<{ errorCode: number; isFenced: boolean }>('brokerHeartbeat', heartbeat);
      return { value: response, committedOffset: -1 };
    },
    async alterPartition(request) {
      const response = await call<WireAlterPartitionResponse>('alterPartition', request);
      return { value: response.partitions, committedOffset: response.committedOffset };
    },
    async allocateProducerIds(request) {
      const { committedOffset, ...value } = await call<WireAllocateProducerIdsResponse>('allocateProducerIds', request);
      return { value, committedOffset };
    },
    async alterConfigs(changes, validateOnly) {
      const response = await call<{ topics: WireOutcome[]; committedOffset: number }>('alterConfigs', {
        topics: changes.map(toWireConfigChange),
        validateOnly,
      });
      return { value: response.topics.map(fromWireOutcome), committedOffset: response.committedOffset };
    },
    async describeQuorum() {
      const status = await call<WireQuorumStatus>('describeQuorum', {});
      return { value: status, committedOffset: -1 };
    },
    close: () => client.close(),
  };
}

/** Serves this node's controller to other brokers; `local` answers or throws NotControllerError. */
export function controllerServiceImplementation(local: ControllerApi, clusterId: string): UntypedServiceImplementation {
  const serve = <Req extends { clusterId: string }, Res>(run: (request: Req) => Promise<Res>) =>
    (call: { request: Req }, callback: Callback<Res>): void => {
      if (call.request.clusterId !== clusterId) {
        callback({ code: status.PERMISSION_DENIED, details: `cluster id ${call.request.clusterId} is not ours`, message: 'wrong cluster' });
        return;
      }
      run(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => callback(toStatus(error)),
      );
    };
  return {
    createTopics: serve(async (request: { clusterId: string; topics: WireNewTopic[]; validateOnly: boolean }) => {
      const answer = await local.createTopics(request.topics.map(fromWireTopic), request.validateOnly);
      return { topics: answer.value.map(toWireOutcome), committedOffset: answer.committedOffset };
    }),
    deleteTopics: serve(async (request: { clusterId: string; names: string[] }) => {
      const answer = await local.deleteTopics(request.names);
      return { topics: answer.value.map(toWireOutcome), committedOffset: answer.committedOffset };
    }),
    createPartitions: serve(async (request: { clusterId: string; topics: WireIncrease[]; validateOnly: boolean }) => {
      const increases = request.topics.map((t) => ({
        name: t.name,
        count: t.count,
        assignments: t.assignments.length === 0 ? null : t.assignments.map((a) => a.brokerIds),
      }));
      const answer = await local.createPartitions(increases, request.validateOnly);
      return { topics: answer.value.map(toWireOutcome), committedOffset: answer.committedOffset };
    }),
    registerBroker: serve(async (request: WireRegistration) => {
      const [host, port] = splitAddress(request.internalAddress);
      const answer = await local.registerBroker({
        brokerId: request.brokerId,
        incarnationId: request.incarnationId,
        endpoints: request.endpoints,
        rack: request.rack === '' ? null : request.rack,
        internalAddress: { host, port },
      });
      return { errorCode: answer.value, committedOffset: answer.committedOffset };
    }),
    brokerHeartbeat: serve(async (request: { clusterId: string; brokerId: number; incarnationId: string; wantShutDown: boolean }) => {
      const { brokerId, incarnationId, wantShutDown } = request;
      const answer = await local.brokerHeartbeat({ brokerId, incarnationId, wantShutDown });
      return answer.value;
    }),
    alterPartition: serve(async (request: { clusterId: string } & AlterPartitionRequest): Promise<WireAlterPartitionResponse> => {
      const { brokerId, incarnationId, partitions } = request;
      const answer = await local.alterPartition({ brokerId, incarnationId, partitions });
      return { partitions: [...answer.value], committedOffset: answer.committedOffset };
    }),
    allocateProducerIds: serve(async (request: { clusterId: string } & AllocateProducerIdsRequest): Promise<WireAllocateProducerIdsResponse> => {
      const answer = await local.allocateProducerIds({ brokerId: request.brokerId, incarnationId: request.incarnationId });
      return { ...answer.value, committedOffset: answer.committedOffset };
    }),
    alterConfigs: serve(async (request: { clusterId: string; topics: WireConfigChange[]; validateOnly: boolean }) => {
      const changes = request.topics.map(fromWireConfigChange);
      if (changes.includes(null)) throw new Error('a config operation id outside 0-3');
      const answer = await local.alterConfigs(changes as TopicConfigChange[], request.validateOnly);
      return { topics: answer.value.map(toWireOutcome), committedOffset: answer.committedOffset };
    }),
    describeQuorum: serve(async (): Promise<WireQuorumStatus> => (await local.describeQuorum()).value),
  };
}

/** Kafka's AlterConfigOp ids, which the wire carries. */
const configOperationIds: readonly ConfigOperationKind[] = ['set', 'delete', 'append', 'subtract'];

interface WireConfigChange {
  name: string;
  replace: boolean;
  operations: { key: string; op: number; value: string }[];
}

function toWireConfigChange(change: TopicConfigChange): WireConfigChange {
  return {
    name: change.name,
    replace: change.replace,
    operations: change.operations.map((o) => ({ key: o.key, op: configOperationIds.indexOf(o.op), value: o.value })),
  };
}

function fromWireConfigChange(change: WireConfigChange): TopicConfigChange | null {
  const operations = change.operations.map((o) => ({ key: o.key, op: configOperationIds[o.op], value: o.value }));
  if (operations.some((o) => o.op === undefined)) return null;
  return { name: change.name, replace: change.replace, operations: operations as TopicConfigChange['operations'] };
}

/** The wire's field names are QuorumStatus's own. */
type WireQuorumStatus = QuorumStatus;

interface WireAllocateProducerIdsResponse {
  errorCode: number;
  producerIdStart: number;
  producerIdLen: number;
  committedOffset: number;
}

/** AlterPartitionItem and AlterPartitionOutcome have the same fields on the wire. */
interface WireAlterPartitionResponse {
  partitions: AlterPartitionOutcome[];
  committedOffset: number;
}

interface WireNewTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: { brokerIds: number[] }[];
  configs: Record<string, string>;
}

interface WireIncrease {
  name: string;
  count: number;
  assignments: { brokerIds: number[] }[];
}

interface WireRegistration {
  clusterId: string;
  brokerId: number;
  incarnationId: string;
  endpoints: { name: string; host: string; port: number }[];
  rack: string;
  internalAddress: string;
}

function fromWireTopic(topic: WireNewTopic): NewTopic {
  return {
    name: topic.name,
    numPartitions: topic.numPartitions,
    replicationFactor: topic.replicationFactor,
    assignments: topic.assignments.length === 0 ? null : topic.assignments.map((a) => a.brokerIds),
    configs: topic.configs,
  };
}

function fromWireOutcome(outcome: WireOutcome): TopicOutcome {
  return { name: outcome.name, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage === '' ? null : outcome.errorMessage };
}

function toWireOutcome(outcome: TopicOutcome): WireOutcome {
  return { name: outcome.name, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage ?? '' };
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

function toStatus(error: unknown): { code: number; details: string; message: string } {
  if (error instanceof NotControllerError) {
    return { code: notControllerStatus, details: `not-controller:${error.leaderId ?? -1}`, message: error.message };
  }
  return { code: status.INTERNAL, details: String(error), message: String(error) };
}

function translateError(error: { code?: number; details?: string; message: string }): Error {
  const match = /^not-controller:(-?\d+)$/.exec(error.details ?? '');
  if (error.code === notControllerStatus && match) {
    const leaderId = Number(match[1]);
    return new NotControllerError(leaderId < 0 ? null : leaderId, 'the node asked is not the active controller');
  }
  return new Error(`controller call failed: ${error.details ?? error.message}`);
}
