import { credentials, status, type Client, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadProto } from '@rill/controller-quorum';
import { grpcMessageBytesMax } from '../limits.js';

/** proto/replication.proto, as @grpc/proto-loader hands it to us (camelCase, numbers, Buffers). */
export interface PartitionRef {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
}

export interface ReplicaFetchRequest {
  readonly clusterId: string;
  readonly replicaId: number;
  readonly incarnationId: string;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly partitionMaxBytes: number;
  readonly partitions: readonly { readonly ref: PartitionRef; readonly currentLeaderEpoch: number; readonly fetchOffset: number }[];
}

export interface FetchedPartition {
  readonly ref: PartitionRef;
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly records: Buffer;
}

export interface ReplicaFetchResponse {
  readonly partitions: readonly FetchedPartition[];
}

export interface EpochQuery {
  readonly ref: PartitionRef;
  readonly currentLeaderEpoch: number;
  readonly leaderEpoch: number;
}

export interface EpochAnswer {
  readonly ref: PartitionRef;
  readonly errorCode: number;
  readonly leaderEpoch: number;
  readonly endOffset: number;
}

export interface OffsetForLeaderEpochRequest {
  readonly clusterId: string;
  readonly replicaId: number;
  readonly partitions: readonly EpochQuery[];
}

/** What a follower calls on a leader broker. */
export interface ReplicationApi {
  fetch(request: ReplicaFetchRequest, timeoutMs: number): Promise<ReplicaFetchResponse>;
  offsetForLeaderEpoch(request: OffsetForLeaderEpochRequest, timeoutMs: number): Promise<{ partitions: EpochAnswer[] }>;
  close(): void;
}

type Callback<T> = (error: Error | null, response?: T) => void;

interface ReplicationClient extends Client {
  fetch(request: object, options: { deadline: number }, callback: Callback<ReplicaFetchResponse>): void;
  offsetForLeaderEpoch(request: object, options: { deadline: number }, callback: Callback<{ partitions: EpochAnswer[] }>): void;
}

type ReplicationClientConstructor = (new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options: object) => ReplicationClient) & {
  service: ServiceDefinition;
};

const replicationPackage = loadProto('replication.proto')['rill'] as unknown as {
  replication: { Replication: ReplicationClientConstructor };
};

export const replicationService: ServiceDefinition = replicationPackage.replication.Replication.service;

/** A client for the Replication service of the broker at `address` (host:port). */
export function replicationClient(address: string): ReplicationApi {
  const client = new replicationPackage.replication.Replication(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': grpcMessageBytesMax,
    'grpc.max_send_message_length': grpcMessageBytesMax,
  });
  const call = <T>(method: 'fetch' | 'offsetForLeaderEpoch', request: object, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      (client[method] as (r: object, o: { deadline: number }, c: Callback<T>) => void).call(
        client, request, { deadline: Date.now() + timeoutMs },
        (error, response) => (error ? reject(error) : resolve(response!)),
      );
    });
  return {
    fetch: (request, timeoutMs) => call('fetch', request, timeoutMs),
    offsetForLeaderEpoch: (request, timeoutMs) => call('offsetForLeaderEpoch', request, timeoutMs),
    close: () => client.close(),
  };
}

/** The Replication service over this broker's leaders; requests for another cluster are refused. */
export function replicationServiceImplementation(options: {
  readonly clusterId: string;
  readonly fetch: (request: ReplicaFetchRequest) => Promise<ReplicaFetchResponse>;
  readonly offsetForLeaderEpoch: (request: OffsetForLeaderEpochRequest) => { partitions: EpochAnswer[] };
}): UntypedServiceImplementation {
  const serve = <Req extends { clusterId: string }, Res>(run: (request: Req) => Promise<Res> | Res) =>
    (call: { request: Req }, callback: (error: object | null, response?: Res) => void): void => {
      if (call.request.clusterId !== options.clusterId) {
        callback({ code: status.PERMISSION_DENIED, details: `cluster id ${call.request.clusterId} is not ours` });
        return;
      }
      Promise.resolve()
        .then(() => run(call.request))
        .then(
          (response) => callback(null, response),
          (error: unknown) => callback({ code: status.INTERNAL, details: error instanceof Error ? error.message : String(error) }),
        );
    };
  return {
    fetch: serve(options.fetch),
    offsetForLeaderEpoch: serve(options.offsetForLeaderEpoch),
  };
}
