/**
 * Every bound on what input — a broker's answer, a caller's data, stdin — can make this
 * package hold in memory. Names end in `Max`. Options that users set are checked against
 * these when a Producer, Consumer or Admin is built.
 */

/** Largest response frame we accept; checked from the size prefix before any allocation. */
export const responseFrameBytesMax = 128 * 1024 * 1024;

/** Requests sent on one connection and not yet answered (max.in.flight.requests.per.connection). */
export const inFlightRequestsMax = 32;

/** Requests waiting for an in-flight slot on one connection; beyond this a request fails fast. */
export const queuedRequestsMax = 4096;

/** Largest producer buffer memory (buffer.memory) a caller may configure. */
export const bufferMemoryBytesMax = 4 * 1024 * 1024 * 1024;

/** Largest record batch the producer builds (batch.size) or a request it sends (max.request.size). */
export const batchBytesMax = 64 * 1024 * 1024;

/** send() calls waiting for buffer memory at once; more fail with a retriable error. */
export const memoryWaitersMax = 100_000;

/** Topics whose metadata one client tracks (and asks the cluster about on each refresh). */
export const trackedTopicsMax = 100_000;

/** Records the consumer holds fetched but not yet handed to the application, in bytes. */
export const fetchBufferBytesMax = 1024 * 1024 * 1024;

/** Partitions one consumer may be assigned, and one assignment message may list. */
export const assignedPartitionsMax = 1_000_000;

/** Members of one group the leader assigns for, and topics one subscription may name. */
export const groupMembersMax = 100_000;
export const subscribedTopicsMax = 100_000;

/** Broker addresses given at bootstrap. */
export const bootstrapBrokersMax = 1000;

/** One line of `rill produce` input (a record's key, separator and value). */
export const inputLineBytesMax = 16 * 1024 * 1024;

/** Latency samples `rill bench` keeps for percentiles (a reservoir beyond this). */
export const latencySamplesMax = 1_000_000;

/** Group coordinators remembered by one client; the cache is cleared when it would grow past this. */
export const coordinatorCacheMax = 10_000;
