/**
 * OpenMessaging-style workloads: one topic with some partitions, records of one size, a
 * number of producers and a rate — 'max' (as fast as acknowledgements allow) or a fixed
 * number of records per second, where latency is what is measured.
 */
export interface Workload {
  readonly name: string;
  readonly partitions: number;
  readonly recordBytes: number;
  readonly producers: number;
}

/** The four workloads every system runs (issue 10): 1 and 8 partitions, 100 B and 1 KiB. */
export const standardWorkloads: readonly Workload[] = [
  { name: '1 KiB records, 1 partition', partitions: 1, recordBytes: 1024, producers: 1 },
  { name: '1 KiB records, 8 partitions', partitions: 8, recordBytes: 1024, producers: 1 },
  { name: '100 B records, 1 partition', partitions: 1, recordBytes: 100, producers: 1 },
  { name: '100 B records, 8 partitions', partitions: 8, recordBytes: 100, producers: 1 },
];

/** Records per second of the fixed-rate (latency) phase. */
export const fixedRatePerSecond = 5000;

/** Phase lengths of one run. */
export interface Durations {
  /** Max-rate produce. */
  readonly maxRateMs: number;
  /** Fixed-rate produce with a live consumer. */
  readonly fixedRateMs: number;
  /** Not measured: lets clients connect, batches warm up and the JIT settle. */
  readonly warmupMs: number;
}

export function durationsFor(seconds: number, quick: boolean): Durations {
  if (quick) return { maxRateMs: 1000, fixedRateMs: 1000, warmupMs: 200 };
  return { maxRateMs: seconds * 1000, fixedRateMs: seconds * 1000, warmupMs: 1000 };
}

/**
 * A record value with the send time (performance.now(), float64) in its first 8 bytes, so a
 * consumer in this process can compute the end-to-end latency; the rest is a fixed pattern.
 */
export function stampedValue(recordBytes: number, template: Buffer): Buffer {
  const value = Buffer.allocUnsafe(recordBytes);
  template.copy(value);
  value.writeDoubleLE(performance.now(), 0);
  return value;
}

export function patternValue(recordBytes: number): Buffer {
  const value = Buffer.alloc(Math.max(8, recordBytes));
  for (let i = 0; i < value.length; i++) value[i] = (i * 31 + 7) & 0xff;
  return value.subarray(0, recordBytes);
}

export function sentAtOf(value: Uint8Array): number {
  return Buffer.from(value.buffer, value.byteOffset, 8).readDoubleLE(0);
}
