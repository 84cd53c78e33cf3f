/**
 * Every bound the replication core enforces, in one place (DESIGN §9). Names end in `Max`.
 * Options and metadata are checked against these when a leader is created; values that come
 * from peers (fetch offsets, epochs in answers) are checked against them and ignored when
 * out of range.
 */

/** Leader epochs and partition epochs are int32 on the wire. */
export const epochMax = 0x7fff_ffff;

/** Replica (node) ids are int32 on the wire, like Kafka's node.id. */
export const replicaIdMax = 0x7fff_ffff;

/** Offsets are int64 on the wire; inside they are plain numbers, exact up to 2^53. */
export const offsetMax = Number.MAX_SAFE_INTEGER;

/**
 * Replicas of one partition. Kafka has no hard cap; ours bounds the leader's follower map
 * (one entry per replica, never per fetching node: fetches from unknown ids are ignored).
 */
export const replicasMax = 256;

/**
 * A duration option (replica.lag.time.max.ms, retry.backoff.ms): longer than a day is a unit
 * mistake (seconds or microseconds passed as milliseconds).
 */
export const durationMsMax = 24 * 60 * 60 * 1000;

/**
 * OffsetForLeaderEpoch rounds one follower truncation may take. Each round asks about a
 * strictly smaller epoch, so an honest leader needs at most one per epoch in the follower's
 * cache; a driver stops (and truncates to its high watermark) past this, so a leader that
 * answers nonsense cannot keep a follower asking for ever.
 */
export const truncationRoundsMax = 1_000;
