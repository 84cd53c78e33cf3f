import {
  credentials,
  status,
  type Client,
  type ClientDuplexStream,
  type ServerDuplexStream,
  type ServiceDefinition,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadProto } from '@rill/controller-quorum';
import { grpcMessageBytesMax, replicaFetchesQueuedPerStreamMax } from '../limits.js';

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
  fetchStream(): ClientDuplexStream<ReplicaFetchRequest, ReplicaFetchResponse>;
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
    // HTTP/2's default 64 KiB window made the leader wait for a window update every 64 KiB
    // of a fetch response: a 1 MiB answer took 16 round trips. One fetch is out at a time,
    // so a window of one whole message never lets more than that be buffered.
    'grpc-node.flow_control_window': grpcMessageBytesMax,
  });
  const call = <T>(method: 'fetch' | 'offsetForLeaderEpoch', request: object, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      (client[method] as (r: object, o: { deadline: number }, c: Callback<T>) => void).call(
        client, request, { deadline: Date.now() + timeoutMs },
        (error, response) => (error ? reject(error) : resolve(response!)),
      );
    });
  const stream = new FetchStreamClient(client, (request, timeoutMs) => call('fetch', request, timeoutMs));
  return {
    fetch: (request, timeoutMs) => stream.fetch(request, timeoutMs),
    offsetForLeaderEpoch: (request, timeoutMs) => call('offsetForLeaderEpoch', request, timeoutMs),
    close: () => {
      stream.close();
      client.close();
    },
  };
}

interface PendingFetch {
  readonly request: ReplicaFetchRequest;
  readonly deadlineMs: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (response: ReplicaFetchResponse) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Replica fetches over one FetchStream, opened on first use and again after any failure:
 * one request at a time, each answered before the next is written. A fetch not answered
 * in `timeoutMs` cancels the stream (the leader may be gone). A leader that does not know
 * FetchStream (an older version) answers UNIMPLEMENTED; from then on this uses Fetch.
 */
class FetchStreamClient {
  readonly #client: ReplicationClient;
  readonly #unary: (request: ReplicaFetchRequest, timeoutMs: number) => Promise<ReplicaFetchResponse>;
  #stream: ClientDuplexStream<ReplicaFetchRequest, ReplicaFetchResponse> | null = null;
  #pending: PendingFetch | null = null;
  #unaryOnly = false;
  #closed = false;

  constructor(client: ReplicationClient, unary: (request: ReplicaFetchRequest, timeoutMs: number) => Promise<ReplicaFetchResponse>) {
    this.#client = client;
    this.#unary = unary;
  }

  fetch(request: ReplicaFetchRequest, timeoutMs: number): Promise<ReplicaFetchResponse> {
    // One at a time on the stream; a second concurrent caller (none today) goes unary.
    if (this.#unaryOnly || this.#pending !== null || this.#closed) return this.#unary(request, timeoutMs);
    const stream = this.#stream ?? this.#open();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(stream, new Error(`replica fetch not answered in ${timeoutMs} ms`)), timeoutMs);
      this.#pending = { request, deadlineMs: Date.now() + timeoutMs, timer, resolve, reject };
      stream.write(request);
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#stream !== null) this.#fail(this.#stream, new Error('replication client closed'));
  }

  #open(): ClientDuplexStream<ReplicaFetchRequest, ReplicaFetchResponse> {
    const stream = this.#client.fetchStream();
    this.#stream = stream;
    stream.on('data', (response: ReplicaFetchResponse) => this.#take(stream, true)?.resolve(response));
    stream.on('error', (error: ServiceError) => {
      if (error.code === status.UNIMPLEMENTED) this.#unaryOnly = true;
      const pending = this.#take(stream);
      if (pending === null) return;
      if (!this.#unaryOnly) return pending.reject(error);
      this.#unary(pending.request, Math.max(1, pending.deadlineMs - Date.now())).then(pending.resolve, pending.reject);
    });
    stream.on('end', () => this.#take(stream)?.reject(new Error('the leader ended the replica fetch stream')));
    return stream;
  }

  /** Forgets `stream` if it is the current one, and hands over its pending fetch to settle. */
  #take(stream: ClientDuplexStream<ReplicaFetchRequest, ReplicaFetchResponse>, keep = false): PendingFetch | null {
    if (stream !== this.#stream) return null;
    if (!keep) this.#stream = null;
    const pending = this.#pending;
    this.#pending = null;
    if (pending !== null) clearTimeout(pending.timer);
    return pending;
  }

  #fail(stream: ClientDuplexStream<ReplicaFetchRequest, ReplicaFetchResponse>, error: Error): void {
    const pending = this.#take(stream);
    stream.cancel();
    pending?.reject(error);
  }
}

/** The Replication service over this broker's leaders; requests for another cluster are refused. */
export function replicationServiceImplementation(options: {
  readonly clusterId: string;
  readonly fetch: (request: ReplicaFetchRequest) => Promise<ReplicaFetchResponse>;
  readonly offsetForLeaderEpoch: (request: OffsetForLeaderEpochRequest) => { partitions: EpochAnswer[] };
}): UntypedServiceImplementation {
  const foreign = (clusterId: string): { code: number; details: string } | null =>
    clusterId === options.clusterId ? null : { code: status.PERMISSION_DENIED, details: `cluster id ${clusterId} is not ours` };
  const serve = <Req extends { clusterId: string }, Res>(run: (request: Req) => Promise<Res> | Res) =>
    (call: { request: Req }, callback: (error: object | null, response?: Res) => void): void => {
      const refused = foreign(call.request.clusterId);
      if (refused !== null) {
        callback(refused);
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
    fetchStream: (call: ServerDuplexStream<ReplicaFetchRequest, ReplicaFetchResponse>) => serveFetchStream(call, options.fetch, foreign),
    offsetForLeaderEpoch: serve(options.offsetForLeaderEpoch),
  };
}

/**
 * The leader's end of a FetchStream: answers each request in turn (a long poll may hold one
 * up to its max wait). A request for another cluster, a failed fetch or too many requests
 * waiting end the stream with an error status; the follower opens a new one.
 */
function serveFetchStream(
  call: ServerDuplexStream<ReplicaFetchRequest, ReplicaFetchResponse>,
  fetch: (request: ReplicaFetchRequest) => Promise<ReplicaFetchResponse>,
  foreign: (clusterId: string) => { code: number; details: string } | null,
): void {
  const queued: ReplicaFetchRequest[] = [];
  let busy = false;
  let over = false;
  let ending = false;
  const finish = (error: { code: number; details: string } | null): void => {
    if (over) return;
    over = true;
    queued.length = 0;
    if (error === null) call.end();
    else call.emit('error', error);
  };
  const next = (): void => {
    if (busy || over) return;
    const request = queued.shift();
    if (request === undefined) {
      if (ending) finish(null);
      return;
    }
    const refused = foreign(request.clusterId);
    if (refused !== null) return finish(refused);
    busy = true;
    fetch(request).then(
      (response) => {
        busy = false;
        if (over) return;
        call.write(response);
        next();
      },
      (error: unknown) => finish({ code: status.INTERNAL, details: error instanceof Error ? error.message : String(error) }),
    );
  };
  call.on('data', (request: ReplicaFetchRequest) => {
    if (over) return;
    if (queued.length >= replicaFetchesQueuedPerStreamMax) {
      return finish({ code: status.RESOURCE_EXHAUSTED, details: `more than ${replicaFetchesQueuedPerStreamMax} replica fetches waiting on one stream` });
    }
    queued.push(request);
    next();
  });
  call.on('end', () => {
    ending = true;
    next();
  });
  call.on('cancelled', () => {
    over = true;
    queued.length = 0;
  });
  call.on('error', () => {
    over = true;
  });
}
