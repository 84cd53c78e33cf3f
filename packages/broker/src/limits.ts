/**
 * Bounds on what clients can make a node hold. Configurable ones keep Kafka's property names
 * (socket.request.max.bytes, message.max.bytes); these are the rest.
 */

/** Requests one connection may have in progress before we stop reading its socket. */
export const inFlightRequestsPerConnectionMax = 32;

/** Request bytes one connection may have in progress before we stop reading its socket. */
export const inFlightBytesPerConnectionMax = 64 * 1024 * 1024;

/** Unsent response bytes queued on one socket before we stop reading requests from it. */
export const pendingResponseBytesPerConnectionMax = 16 * 1024 * 1024;

/** Open client connections per listener; more are refused at accept. */
export const connectionsPerListenerMax = 10_000;

/** Long-polling fetches parked at once on one node; beyond this a fetch answers at once. */
export const parkedFetchesMax = 10_000;

/**
 * Largest Fetch response we build, whatever max_bytes the client asks for (clients ask for
 * 50 MiB by default). With the in-flight cap it bounds what one connection's parked
 * fetches can read at once.
 */
export const fetchResponseBytesMax = 32 * 1024 * 1024;

/**
 * Read buffers kept idle for the next consumer fetch once the socket has written them: two
 * 16 MiB responses' worth. Reads smaller than the smallest class are not kept.
 */
export const readBuffersIdleBytesMax = 32 * 1024 * 1024;
export const readBufferBytesMin = 64 * 1024;

/** Topics one Metadata or CreateTopics request may name. */
export const topicsPerRequestMax = 10_000;

/** The smallest request frame: api key, version, correlation id and the client id length. */
export const requestHeaderBytesMin = 10;

/** Largest gRPC message between nodes (a snapshot chunk or a replica fetch response). */
export const grpcMessageBytesMax = 16 * 1024 * 1024;

/** Concurrent gRPC streams one peer connection may open. */
export const grpcConcurrentStreamsMax = 256;

/**
 * Replica fetches a follower may have waiting on one FetchStream. A follower sends the next
 * only after the answer to the last; past this the leader ends the stream.
 */
export const replicaFetchesQueuedPerStreamMax = 4;

/**
 * acks=all appends waiting for the high watermark. Past this an append is answered
 * REQUEST_TIMED_OUT at once (written, not yet known to be replicated; the producer retries).
 */
export const parkedProducesMax = 100_000;

/**
 * Idempotent producers one partition replica remembers. Beyond it the least recently
 * appended producer is forgotten early (as if producer.id.expiration.ms had passed): a retry
 * of its last batch would then be appended again. Kafka has no such bound.
 */
export const producersPerPartitionMax = 10_000;

/** Producer state snapshots (`<offset>.snapshot`) kept per partition, the newest ones. */
export const producerSnapshotsPerPartitionMax = 3;

/** Groups one node coordinates; a JoinGroup or offset-only commit creating one more gets COORDINATOR_NOT_AVAILABLE. */
export const groupsPerCoordinatorMax = 100_000;

/** Group members (and members promised an id) over all groups of one node; beyond it, GROUP_MAX_SIZE_REACHED. */
export const groupMembersPerCoordinatorMax = 100_000;

/** Protocols one JoinGroup may offer, and their names and metadata in bytes; beyond them, INVALID_REQUEST. */
export const protocolsPerMemberMax = 64;
export const memberProtocolBytesMax = 1024 * 1024;

/**
 * Protocol metadata and assignment bytes one node holds for all group members; a join or an
 * assignment beyond it is refused (GROUP_MAX_SIZE_REACHED, UNKNOWN_SERVER_ERROR).
 */
export const groupBytesPerCoordinatorMax = 512 * 1024 * 1024;

/**
 * JoinGroup and SyncGroup requests waiting on the coordinator at once (one of each per
 * member at most); past this a request is answered COORDINATOR_NOT_AVAILABLE at once.
 */
export const parkedGroupRequestsMax = 2 * groupMembersPerCoordinatorMax;

/** Groups one DescribeGroups or DeleteGroups request may name; the rest get INVALID_REQUEST. */
export const groupsPerRequestMax = 10_000;
