/**
 * Every bound the storage package enforces, in one place (DESIGN §9). Names end in `Max`.
 * Each one caps memory or work that the size of the data on disk (or a corrupt file) could
 * otherwise grow without limit.
 */

/**
 * Largest batch recovery and scans accept. A batchLength above this is treated as corruption
 * (a torn or flipped length field), so a bad header can never make us allocate gigabytes.
 * The broker's message.max.bytes must stay below it.
 */
export const batchBytesMax = 64 * 1024 * 1024;

/** Window read at once when walking batch headers between an index entry and a target. */
export const lookupScanWindowBytesMax = 64 * 1024;

/** Window read at once by recovery; batches larger than this are read on their own. */
export const recoveryScanWindowBytesMax = 1024 * 1024;

/**
 * Offset-index entries one segment may hold in memory (8 bytes each: 10 MiB, Kafka's
 * segment.index.bytes default). A full index rolls the segment, which bounds both the
 * memory of one segment's index and the index file.
 */
export const offsetIndexEntriesMax = (10 * 1024 * 1024) / 8;

/** Largest log.segment.bytes: file positions are stored as int32 in the offset index. */
export const segmentBytesMax = 0x7fff_ffff;

/** Offsets relative to a segment's base are int32 in both indexes. */
export const relativeOffsetMax = 0x7fff_ffff;
