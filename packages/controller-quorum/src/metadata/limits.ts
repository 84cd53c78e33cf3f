/**
 * Bounds of the metadata state machine (DESIGN §9). The decoder checks every count and
 * length against these before it allocates, so a corrupt or hostile entry cannot make a
 * broker build an unbounded structure; the controller refuses requests beyond them.
 */

/** Kafka's limit on a topic name (Topic.MAX_NAME_LENGTH). */
export const topicNameLengthMax = 249;

/** Partitions of one topic; the broker's limits.ts caps CreateTopics at the same number. */
export const partitionsPerTopicMax = 10_000;

/** Replicas of one partition: a replica list larger than this is not a real assignment. */
export const replicasPerPartitionMax = 64;

/** Listeners one broker may register (PLAINTEXT, INTERNAL, … — a handful in practice). */
export const listenersPerBrokerMax = 16;

/** Characters of one string field: host names, config values, rack names. */
export const stringLengthMax = 32 * 1024;

/** Records in one Raft entry: one controller operation is committed as one atomic entry. */
export const recordsPerEntryMax = 100_000;

/** Records in one snapshot; a cluster with more than this many partitions is out of scope. */
export const recordsPerSnapshotMax = 10_000_000;

/** Producer ids handed to a broker at once (Kafka's ProducerIdManager block size). */
export const producerIdBlockSize = 1000;

/** Node ids, partition indexes and epochs are int32 on the wire. */
export const int32Max = 0x7fff_ffff;

/**
 * Leaderships one automatic preferred-leader election moves (Kafka's KRaft controller moves
 * at most 1000 per batch): each is a record of one entry, so the entry stays small.
 */
export const preferredElectionsPerRunMax = 1000;
