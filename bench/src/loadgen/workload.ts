import { encodeRecordBatch } from '@rill/protocol';

export interface Workload {
  readonly name: string;
  readonly recordBytes: number;
  readonly partitions: number;
}

export const workloads: readonly Workload[] = [
  { name: '1 KiB records, 1 partition', recordBytes: 1024, partitions: 1 },
  { name: '1 KiB records, 8 partitions', recordBytes: 1024, partitions: 8 },
  { name: '100 B records, 1 partition', recordBytes: 100, partitions: 1 },
  { name: '100 B records, 8 partitions', recordBytes: 100, partitions: 8 },
];

/**
 * Record bytes carried by one produce request, spread over the partitions; below
 * message.max.bytes (1 MiB + 12) with room for the record and batch framing.
 */
export const requestPayloadBytes = 960 * 1024;

/** Framing per record in a batch: length, attributes, deltas, key and value lengths, headers. */
const recordOverheadBytes = 16;

/** One pre-built batch per partition; the broker, not the bench, does per-request work. */
export function buildBatches(workload: Workload): { batches: Buffer[]; recordsPerBatch: number } {
  const recordsPerBatch = Math.max(1, Math.floor(requestPayloadBytes / workload.partitions / (workload.recordBytes + recordOverheadBytes)));
  const value = Buffer.alloc(workload.recordBytes);
  for (let i = 0; i < value.length; i++) value[i] = (i * 31 + 7) & 0xff;
  const batches = Array.from({ length: workload.partitions }, () =>
    encodeRecordBatch({
      records: Array.from({ length: recordsPerBatch }, (_, i) => ({
        key: null,
        value,
        headers: [],
        timestamp: Date.now() + i,
      })),
    }),
  );
  return { batches, recordsPerBatch };
}
