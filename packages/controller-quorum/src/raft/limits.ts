/**
 * Every bound the Raft core enforces, in one place (DESIGN §9). Names end in `Max`. Each caps
 * memory or work that a peer's message, a client or a long outage could otherwise grow without
 * limit. Options are checked against these when a core is created.
 */
import { assert } from '@rill/base';

/** Epochs are int32 on the wire (KIP-595). */
export const epochMax = 0x7fff_ffff;

/** Node ids are int32 on the wire, like Kafka's node.id. */
export const nodeIdMax = 0x7fff_ffff;

/** Offsets are int64 on the wire; inside they are plain numbers, exact up to 2^53. */
export const offsetMax = Number.MAX_SAFE_INTEGER;

/**
 * How far above our own epoch a voter's message may take us. A real quorum moves up by one
 * per election, and pre-vote keeps failed elections from bumping it at all, so a jump of a
 * million is never legitimate: it is a corrupt or hostile peer (reliability plan, bad input
 * 39), and adopting it would leave the quorum a few elections from int32 overflow.
 */
export const epochJumpMax = 1_000_000;

/** Voters in the static quorum (controller.quorum.voters). */
export const votersMax = 64;

/**
 * Observers (broker-only nodes) whose fetch progress a leader keeps for DescribeQuorum; past
 * this the one silent longest is forgotten. A fetch names any int32 as its sender, so
 * without a bound a peer could make the leader hold state for every id it invents.
 */
export const observersTrackedMax = 1024;

/**
 * Fetches the leader holds at once, waiting for news (fetch-purgatory.ts): one per fetching
 * node, so every voter and every tracked observer fits. Past it a fetch is answered at once.
 */
export const heldFetchesMax = votersMax + observersTrackedMax;

/** Entries in one Fetch response, whatever a follower asks for. */
export const fetchEntriesMax = 4096;

/** Bytes of payload in one Fetch response (Kafka's replica.fetch.max.bytes order). */
export const fetchBytesMax = 8 * 1024 * 1024;

/** One entry's payload: a metadata record batch. */
export const payloadBytesMax = 1024 * 1024;

/** Payloads in one propose() call. */
export const proposalBatchMax = 1024;

/**
 * Entries the leader may hold above its high watermark. Past this, propose() refuses, so a
 * leader that lost its followers cannot grow its log (and memory) without bound.
 */
export const uncommittedEntriesMax = 16_384;

/** A snapshot a follower will download (and hold in memory while it assembles it). */
export const snapshotBytesMax = 256 * 1024 * 1024;

/** One FetchSnapshot chunk. */
export const snapshotChunkBytesMax = 4 * 1024 * 1024;

/** A tick-valued option: a timeout longer than this is a unit mistake (ms passed as ticks). */
export const timeoutTicksMax = 1_000_000;

assert(
  fetchEntriesMax <= uncommittedEntriesMax,
  'a fetch never needs more than the leader may hold',
);
assert(payloadBytesMax <= fetchBytesMax, 'one entry always fits in one fetch response');
assert(snapshotChunkBytesMax <= snapshotBytesMax, 'a chunk is part of a snapshot');
