/**
 * Every property rill-server honours: Kafka's name, Kafka's default, and what it means. This
 * table is the single source for validation, defaults and the configuration reference.
 */
export type PropertyType = 'int' | 'long' | 'boolean' | 'string' | 'list';

export interface PropertyDefinition {
  readonly name: string;
  readonly type: PropertyType;
  readonly default: string | null;
  readonly doc: string;
  /** Inclusive bounds for numbers. */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values, for strings and each list item. */
  readonly oneOf?: readonly string[];
}

const day = 24 * 60 * 60 * 1000;
const neverMs = String(Number.MAX_SAFE_INTEGER);

export const propertyDefinitions: readonly PropertyDefinition[] = [
  { name: 'node.id', type: 'int', default: '1', min: 0, doc: 'This node\'s id, unique in the cluster.' },
  {
    name: 'process.roles', type: 'list', default: 'broker,controller', oneOf: ['broker', 'controller'],
    doc: 'The roles this node plays: broker, controller, or both.',
  },
  {
    name: 'listeners', type: 'list', default: 'PLAINTEXT://0.0.0.0:9092',
    doc: 'Kafka client listeners as NAME://host:port.',
  },
  {
    name: 'listener.security.protocol.map', type: 'list', default: 'PLAINTEXT:PLAINTEXT',
    doc: 'Listener name to security protocol, as NAME:PROTOCOL pairs. Only PLAINTEXT is served so far.',
  },
  {
    name: 'advertised.listeners', type: 'list', default: null,
    doc: 'Addresses given to clients in Metadata responses; defaults to listeners, with 0.0.0.0 advertised as localhost.',
  },
  {
    name: 'internal.listener', type: 'string', default: '0.0.0.0:9093',
    doc: 'host:port of the node-to-node gRPC listener (quorum, controller, replication).',
  },
  {
    name: 'internal.advertised.listener', type: 'string', default: null,
    doc: 'host:port other nodes use to reach internal.listener; defaults to it.',
  },
  {
    name: 'controller.quorum.voters', type: 'list', default: '1@localhost:9093',
    doc: 'The controller quorum as id@host:port, pointing at each voter\'s internal listener.',
  },
  {
    name: 'controller.quorum.election.timeout.ms', type: 'int', default: '1000', min: 10,
    doc: 'How long a voter waits without a leader before it campaigns (randomized up to twice this).',
  },
  {
    name: 'controller.quorum.fetch.timeout.ms', type: 'int', default: '2000', min: 10,
    doc: 'A follower that cannot fetch from the leader this long seeks a new one; a leader that no majority fetched from this long resigns.',
  },
  {
    name: 'controller.quorum.election.backoff.max.ms', type: 'int', default: '1000', min: 1,
    doc: 'Longest wait before campaigning again after a lost election.',
  },
  {
    name: 'controller.quorum.request.timeout.ms', type: 'int', default: '2000', min: 10,
    doc: 'A quorum request unanswered this long is sent again.',
  },
  {
    name: 'broker.heartbeat.interval.ms', type: 'int', default: '2000', min: 10,
    doc: 'How often a broker tells the active controller it is alive.',
  },
  {
    name: 'broker.session.timeout.ms', type: 'int', default: '9000', min: 100,
    doc: 'A broker not heard from this long is fenced: its partitions get new leaders from their ISRs.',
  },
  {
    name: 'metadata.log.dir', type: 'string', default: null,
    doc: 'Where the metadata log lives; defaults to the first of log.dirs.',
  },
  {
    name: 'metadata.log.max.record.bytes.between.snapshots', type: 'long', default: '20971520', min: 1024,
    doc: 'Take a metadata snapshot after this many bytes of new records, so the log can be truncated.',
  },
  {
    name: 'broker.rack', type: 'string', default: null,
    doc: 'The rack (or zone) of this broker; replicas of a partition are spread over racks.',
  },
  { name: 'http.listener', type: 'string', default: '0.0.0.0:9644', doc: 'host:port for /metrics, /healthz and /readyz.' },
  { name: 'log.dirs', type: 'list', default: '/tmp/rill-logs', doc: 'Directories holding partition data.' },
  { name: 'cluster.id', type: 'string', default: null, doc: 'Cluster id; generated on first start when unset.' },
  { name: 'num.partitions', type: 'int', default: '1', min: 1, doc: 'Partitions of a topic created without a count.' },
  {
    name: 'default.replication.factor', type: 'int', default: '1', min: 1, max: 32767,
    doc: 'Replication factor of a topic created without one.',
  },
  { name: 'min.insync.replicas', type: 'int', default: '1', min: 1, doc: 'Smallest ISR that accepts acks=all writes.' },
  { name: 'auto.create.topics.enable', type: 'boolean', default: 'true', doc: 'Create a topic when a client asks for its metadata.' },
  {
    name: 'unclean.leader.election.enable', type: 'boolean', default: 'false',
    doc: 'Elect a leader outside the ISR when no ISR member is alive (may lose acknowledged data).',
  },
  { name: 'delete.topic.enable', type: 'boolean', default: 'true', doc: 'Allow DeleteTopics.' },
  {
    name: 'message.max.bytes', type: 'int', default: '1048588', min: 0,
    doc: 'Largest record batch a producer may send.',
  },
  {
    name: 'socket.request.max.bytes', type: 'int', default: '104857600', min: 64,
    doc: 'Largest request frame; a bigger one closes the connection before anything is allocated.',
  },
  {
    name: 'connections.max.idle.ms', type: 'long', default: '600000', min: 1,
    doc: 'Close client connections idle this long.',
  },
  { name: 'log.segment.bytes', type: 'int', default: '1073741824', min: 14, doc: 'Roll a segment at this size.' },
  { name: 'log.roll.ms', type: 'long', default: String(7 * day), min: 1, doc: 'Roll a segment this old.' },
  { name: 'log.retention.ms', type: 'long', default: String(7 * day), min: -1, doc: 'Delete segments older than this; -1 keeps them.' },
  { name: 'log.retention.bytes', type: 'long', default: '-1', min: -1, doc: 'Delete old segments above this size per partition; -1 is unlimited.' },
  {
    name: 'log.retention.check.interval.ms', type: 'long', default: '300000', min: 1,
    doc: 'How often retention runs.',
  },
  { name: 'log.index.interval.bytes', type: 'int', default: '4096', min: 0, doc: 'Bytes between offset-index entries.' },
  {
    name: 'log.flush.interval.messages', type: 'long', default: neverMs, min: 1,
    doc: 'fsync a partition after this many unflushed messages (default: leave it to the OS and replication).',
  },
  {
    name: 'log.flush.interval.ms', type: 'long', default: neverMs, min: 0,
    doc: 'fsync a partition whose oldest unflushed message is this old.',
  },
  {
    name: 'log.flush.scheduler.interval.ms', type: 'long', default: '1000', min: 1,
    doc: 'How often partitions are checked against log.flush.interval.ms.',
  },
  {
    name: 'log.flush.on.ack', type: 'boolean', default: 'false',
    doc: 'Every replica fsyncs data before it counts toward the high watermark, so an acks=all write survives power loss of every replica at once; costs throughput (docs/performance.md).',
  },
  {
    name: 'replica.lag.time.max.ms', type: 'long', default: '30000', min: 1,
    doc: 'A follower that has not caught up with the leader for this long leaves the ISR.',
  },
  {
    name: 'replica.fetch.wait.max.ms', type: 'int', default: '500', min: 0,
    doc: 'How long a follower\'s fetch waits on the leader for new data; keep it below replica.lag.time.max.ms.',
  },
  { name: 'replica.fetch.min.bytes', type: 'int', default: '1', min: 1, doc: 'Bytes a follower\'s fetch waits for.' },
  {
    name: 'replica.fetch.max.bytes', type: 'int', default: '1048576', min: 1,
    doc: 'Bytes a follower fetches per partition (the first batch is sent whole even when larger).',
  },
  {
    name: 'replica.fetch.response.max.bytes', type: 'int', default: '10485760', min: 1,
    doc: 'Bytes a follower fetches per request, over all its partitions.',
  },
  {
    name: 'replica.fetch.backoff.ms', type: 'int', default: '1000', min: 0,
    doc: 'How long a follower waits after a failed fetch before it retries.',
  },
  {
    name: 'replica.high.watermark.checkpoint.interval.ms', type: 'long', default: '5000', min: 1,
    doc: 'How often the high watermarks are written to disk.',
  },
  {
    name: 'producer.id.expiration.ms', type: 'int', default: String(day), min: 1,
    doc: 'An idempotent producer silent this long on a partition (by its last batch timestamp) is forgotten there; its retries are then no longer recognised.',
  },
  {
    name: 'producer.id.expiration.check.interval.ms', type: 'int', default: '600000', min: 1,
    doc: 'How often partitions look for producers past producer.id.expiration.ms.',
  },
  {
    name: 'auto.leader.rebalance.enable', type: 'boolean', default: 'true',
    doc: 'Move leadership back to the preferred (first) replica when it is in sync again.',
  },
  {
    name: 'leader.imbalance.check.interval.seconds', type: 'long', default: '300', min: 1,
    doc: 'How often the controller checks for partitions not led by their preferred replica.',
  },
  {
    name: 'leader.imbalance.per.broker.percentage', type: 'int', default: '10', min: 0, max: 100,
    doc: 'Rebalance a broker\'s preferred leaderships once more than this share of them is led elsewhere.',
  },
  {
    name: 'offsets.topic.num.partitions', type: 'int', default: '50', min: 1,
    doc: 'Partitions of __consumer_offsets, created on the first FindCoordinator; a group lives in one of them.',
  },
  {
    name: 'offsets.topic.replication.factor', type: 'int', default: '3', min: 1, max: 32767,
    doc: 'Replication factor of __consumer_offsets (fewer if fewer brokers are alive when it is created).',
  },
  {
    name: 'offsets.topic.segment.bytes', type: 'int', default: '104857600', min: 14,
    doc: 'Segment size of __consumer_offsets; it keeps its records (retention.ms=-1) until compaction exists.',
  },
  {
    name: 'offsets.commit.timeout.ms', type: 'int', default: '5000', min: 1,
    doc: 'How long an offset commit or group write waits for every in-sync replica before it fails.',
  },
  {
    name: 'offsets.load.buffer.size', type: 'int', default: '5242880', min: 1,
    doc: 'Bytes read at a time when a new coordinator replays a __consumer_offsets partition.',
  },
  {
    name: 'offsets.retention.minutes', type: 'int', default: '10080', min: 1,
    doc: 'Committed offsets of a group that has been empty this long (or of a commit this old, for offset-only groups) are deleted.',
  },
  {
    name: 'offsets.retention.check.interval.ms', type: 'long', default: '600000', min: 1,
    doc: 'How often expired offsets are looked for.',
  },
  {
    name: 'offset.metadata.max.bytes', type: 'int', default: '4096', min: 0,
    doc: 'Longest metadata string an offset commit may carry (OFFSET_METADATA_TOO_LARGE beyond).',
  },
  {
    name: 'group.initial.rebalance.delay.ms', type: 'int', default: '3000', min: 0,
    doc: 'How long a new group waits for more members before its first rebalance completes.',
  },
  {
    name: 'group.min.session.timeout.ms', type: 'int', default: '6000', min: 1,
    doc: 'Shortest session timeout a group member may ask for.',
  },
  {
    name: 'group.max.session.timeout.ms', type: 'int', default: '1800000', min: 1,
    doc: 'Longest session timeout a group member may ask for.',
  },
  {
    name: 'group.max.size', type: 'int', default: '2147483647', min: 1,
    doc: 'Most members one group may have (GROUP_MAX_SIZE_REACHED beyond).',
  },
];

/** Topic-level overrides accepted by CreateTopics, with the broker property they default to. */
export const topicConfigSynonyms: Readonly<Record<string, string>> = {
  'retention.ms': 'log.retention.ms',
  'retention.bytes': 'log.retention.bytes',
  'segment.bytes': 'log.segment.bytes',
  'segment.ms': 'log.roll.ms',
  'max.message.bytes': 'message.max.bytes',
  'min.insync.replicas': 'min.insync.replicas',
  'flush.messages': 'log.flush.interval.messages',
  'flush.ms': 'log.flush.interval.ms',
  'index.interval.bytes': 'log.index.interval.bytes',
};
