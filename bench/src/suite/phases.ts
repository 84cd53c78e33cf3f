import type { BenchProducer, SystemDriver } from './driver.js';
import { percentile, Samples } from '../stats.js';
import { patternValue, sentAtOf, stampedValue } from './workloads.js';

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
}

export function percentilesOf(samples: Samples): Percentiles {
  const sorted = samples.sorted();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), p999: percentile(sorted, 0.999) };
}

export interface MaxRateResult {
  /** Records and bytes acknowledged inside the measured window. */
  readonly records: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** One send() call (recordsPerSend records) from the call until acknowledged. */
  readonly ackLatencyMs: Percentiles;
  /** Everything written, warm-up included: what the backlog read must find. */
  readonly totalRecords: number;
  readonly totalBytes: number;
}

/**
 * Produces as fast as acknowledgements come back: each producer keeps `sendsInFlight` calls
 * of `recordsPerSend` records outstanding, moving round-robin over the partitions. Acks in
 * the first `warmupMs` are not counted.
 */
export async function maxRatePhase(args: {
  producers: readonly BenchProducer[];
  partitions: number;
  recordBytes: number;
  warmupMs: number;
  durationMs: number;
  bytesMax: number;
}): Promise<MaxRateResult> {
  const value = patternValue(args.recordBytes);
  const started = performance.now();
  const measureFrom = started + args.warmupMs;
  const measureUntil = measureFrom + args.durationMs;
  const latency = new Samples();
  let measuredRecords = 0;
  let totalRecords = 0;
  let sentBytes = 0;
  const drive = async (producer: BenchProducer, index: number): Promise<void> => {
    const { recordsPerSend, sendsInFlight } = producer.shape;
    const values = Array.from({ length: recordsPerSend }, () => value);
    let partition = index % args.partitions;
    const inFlight = new Set<Promise<void>>();
    while (performance.now() < measureUntil && sentBytes < args.bytesMax) {
      const sentAt = performance.now();
      sentBytes += recordsPerSend * args.recordBytes;
      const call = producer.send(values, partition).then(() => {
        const now = performance.now();
        totalRecords += recordsPerSend;
        if (sentAt >= measureFrom) latency.add(now - sentAt);
        if (now >= measureFrom && now <= measureUntil) measuredRecords += recordsPerSend;
      });
      partition = (partition + 1) % args.partitions;
      inFlight.add(call);
      void call.then(() => inFlight.delete(call), () => undefined);
      if (inFlight.size >= sendsInFlight) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  };
  await Promise.all(args.producers.map((producer, index) => drive(producer, index)));
  const elapsedMs = Math.min(performance.now(), measureUntil) - measureFrom;
  return {
    records: measuredRecords,
    bytes: measuredRecords * args.recordBytes,
    elapsedMs,
    ackLatencyMs: percentilesOf(latency),
    totalRecords,
    totalBytes: totalRecords * args.recordBytes,
  };
}

export interface DrainResult {
  readonly records: number;
  readonly bytes: number;
  readonly elapsedMs: number;
}

/** How long a read may go without any record before the bench gives up. */
const stallMs = 30_000;

/** Reads a topic's whole backlog from its start (the page cache, just written) with one consumer. */
export async function drainPhase(args: {
  driver: SystemDriver;
  topic: string;
  partitions: number;
  records: number;
}): Promise<DrainResult> {
  let records = 0;
  let bytes = 0;
  let lastProgress = performance.now();
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const started = performance.now();
  const consumer = await args.driver.openConsumer(args.topic, args.partitions, (value) => {
    records++;
    bytes += value.length;
    if (records >= args.records) done();
  });
  const watchdog = setInterval(() => {
    if (records === args.records) return;
    if (performance.now() - lastProgress > stallMs) done();
  }, 1000);
  let seen = 0;
  const progress = setInterval(() => {
    if (records !== seen) lastProgress = performance.now();
    seen = records;
  }, 200);
  if (args.records > 0) await finished;
  const elapsedMs = performance.now() - started;
  clearInterval(watchdog);
  clearInterval(progress);
  await consumer.close();
  if (records < args.records) throw new Error(`${args.driver.id}: read ${records} of ${args.records} records of ${args.topic}, then nothing for ${stallMs / 1000} s`);
  return { records, bytes, elapsedMs };
}

export interface FixedRateResult {
  readonly records: number;
  readonly achievedPerSecond: number;
  /** One record from send() until acknowledged. */
  readonly ackLatencyMs: Percentiles;
  /** One record from send() until the consumer has it. */
  readonly endToEndLatencyMs: Percentiles;
}

/**
 * Sends `ratePerSecond` records, one send() each, on a schedule (checked every millisecond)
 * to a fresh topic that a consumer reads live; each value carries its send time. Records
 * sent in the warm-up are not counted.
 */
export async function fixedRatePhase(args: {
  driver: SystemDriver;
  topic: string;
  partitions: number;
  recordBytes: number;
  ratePerSecond: number;
  warmupMs: number;
  durationMs: number;
}): Promise<FixedRateResult> {
  const template = patternValue(args.recordBytes);
  const endToEnd = new Samples();
  const acks = new Samples();
  let received = 0;
  let measureFrom = Number.POSITIVE_INFINITY;
  const consumer = await args.driver.openConsumer(args.topic, args.partitions, (value) => {
    received++;
    const sentAt = sentAtOf(value);
    if (sentAt >= measureFrom) endToEnd.add(performance.now() - sentAt);
  });
  let producer: BenchProducer | null = null;
  let sent = 0;
  try {
    producer = await args.driver.openProducer(args.topic, args.partitions, args.recordBytes);
    const started = performance.now();
    measureFrom = started + args.warmupMs;
    const until = measureFrom + args.durationMs;
    const pending = new Set<Promise<void>>();
    let partition = 0;
    while (performance.now() < until) {
      const due = Math.floor(((performance.now() - started) * args.ratePerSecond) / 1000);
      for (; sent < due; sent++) {
        const value = stampedValue(args.recordBytes, template);
        const sentAt = performance.now();
        const call = producer.send([value], partition).then(() => {
          if (sentAt >= measureFrom) acks.add(performance.now() - sentAt);
        });
        pending.add(call);
        void call.then(() => pending.delete(call), () => undefined);
        partition = (partition + 1) % args.partitions;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(pending);
    const deadline = performance.now() + stallMs;
    while (received < sent && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    await producer?.close().catch(() => undefined);
    await consumer.close().catch(() => undefined);
  }
  if (received < sent) throw new Error(`${args.driver.id}: the consumer got ${received} of ${sent} records of ${args.topic}`);
  return {
    records: acks.count,
    achievedPerSecond: acks.count / (args.durationMs / 1000),
    ackLatencyMs: percentilesOf(acks),
    endToEndLatencyMs: percentilesOf(endToEnd),
  };
}
