import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Admin, Consumer, Producer } from '@rill/client';
import { ServerProcess } from '@rill/testkit';
import type { WorkloadReport } from './report.js';
import { percentile, Samples } from '../stats.js';
import { requestPayloadBytes, type Workload } from './workload.js';

/** The same workload measured through @rill/client's Producer and Consumer. */
export interface ClientWorkloadReport {
  readonly workload: string;
  readonly produceMBps: number;
  readonly produceRecordsPerSecond: number;
  /** One send() call of `recordsPerSend` records, until acknowledged. */
  readonly sendLatencyMs: { readonly p50: number; readonly p99: number };
  readonly consumeMBps: number;
  readonly consumeRecordsPerSecond: number;
}

/** Records per send() call: a few batches' worth, so calls are not the bottleneck. */
const recordsPerSend = 1000;
/** send() calls awaited at once; the producer's buffer memory bounds what they hold. */
const sendsInFlight = 32;
/** Matches the load generator: 8 requests outstanding, ~1 MiB each, 16 MiB per fetch. */
const inFlightRequests = 8;
const fetchBytesMax = 16 * 1024 * 1024;

/**
 * Runs every workload through the client on a fresh single node — the producer for
 * `durationMs` with acks=1 like the load generator, then a consumer reading it all back —
 * prints the client's figures as a share of the load generator's, and writes them as JSON.
 */
export async function runClientBench(args: {
  workloads: readonly Workload[];
  durationMs: number;
  loadGenerator: readonly WorkloadReport[];
}): Promise<ClientWorkloadReport[]> {
  const reports: ClientWorkloadReport[] = [];
  for (const workload of args.workloads) {
    process.stdout.write(`running: @rill/client, ${workload.name} ...\n`);
    reports.push(await runClientWorkload(workload, args.durationMs));
  }
  printClientReport(reports, args.loadGenerator);
  const resultsDir = fileURLToPath(new URL('../../results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const file = `${resultsDir}client-single-node-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ durationMs: args.durationMs, reports }, null, 2));
  console.log(`client results written to ${file}`);
  return reports;
}

async function runClientWorkload(
  workload: Workload,
  durationMs: number,
): Promise<ClientWorkloadReport> {
  const server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
  const brokers = [server.bootstrap];
  try {
    const admin = new Admin({ brokers, clientId: 'rill-bench-client' });
    await admin.createTopics([{ name: 'bench', partitions: workload.partitions }]);
    await admin.close();
    const produced = await produceFor(brokers, workload, durationMs);
    const consumed = await consumeAll(brokers, workload, produced.records);
    const latencies = produced.latencyMs.sorted();
    return {
      workload: workload.name,
      produceMBps: (produced.records * workload.recordBytes) / 1e6 / (produced.elapsedMs / 1000),
      produceRecordsPerSecond: produced.records / (produced.elapsedMs / 1000),
      sendLatencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
      consumeMBps: consumed.bytes / 1e6 / (consumed.elapsedMs / 1000),
      consumeRecordsPerSecond: consumed.records / (consumed.elapsedMs / 1000),
    };
  } finally {
    await server.destroy();
  }
}

async function produceFor(brokers: string[], workload: Workload, durationMs: number) {
  // Keyless records stick to one partition per batch (KIP-794), so a batch as large as the
  // load generator's whole request keeps requests as large as its, whatever the partitions.
  const batchSize = requestPayloadBytes;
  const producer = new Producer({
    brokers,
    clientId: 'rill-bench-client',
    acks: 1,
    batchSize,
    maxRequestSize: 1024 * 1024,
    bufferMemoryBytes: 64 * 1024 * 1024,
    maxInFlightRequests: inFlightRequests,
  });
  await producer.connect();
  const value = Buffer.alloc(workload.recordBytes);
  for (let i = 0; i < value.length; i++) value[i] = (i * 31 + 7) & 0xff;
  const messages = Array.from({ length: recordsPerSend }, () => ({ value }));
  const latencyMs = new Samples();
  const inFlight = new Set<Promise<void>>();
  let records = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    const sentAt = performance.now();
    const call = producer.send({ topic: 'bench', messages }).then(() => {
      latencyMs.add(performance.now() - sentAt);
      records += recordsPerSend;
    });
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
    if (inFlight.size >= sendsInFlight) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const elapsedMs = performance.now() - started;
  await producer.close();
  return { records, elapsedMs, latencyMs };
}

async function consumeAll(brokers: string[], workload: Workload, total: number) {
  const consumer = new Consumer({
    brokers,
    clientId: 'rill-bench-client',
    autoOffsetReset: 'earliest',
    maxBytes: fetchBytesMax,
    maxPartitionBytes: Math.floor(fetchBytesMax / workload.partitions),
    maxBufferedBytes: 4 * fetchBytesMax,
  });
  consumer.assign(
    Array.from({ length: workload.partitions }, (_, partition) => ({ topic: 'bench', partition })),
  );
  let records = 0;
  let bytes = 0;
  const started = performance.now();
  for await (const batch of consumer) {
    records += batch.records.length;
    for (const record of batch.records) bytes += record.value?.length ?? 0;
    if (records >= total) break;
  }
  const elapsedMs = performance.now() - started;
  await consumer.close();
  return { records, bytes, elapsedMs };
}

const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** The client's figures beside the load generator's, with the ratio the issue sets goals for. */
function printClientReport(
  reports: readonly ClientWorkloadReport[],
  loadGenerator: readonly WorkloadReport[],
): void {
  const header = [
    'workload',
    'client produce MB/s',
    'M rec/s',
    'send p50/p99 ms',
    'vs load gen',
    'client consume MB/s',
    'vs load gen',
  ];
  const rows = reports.map((r) => {
    const base = loadGenerator.find((g) => g.workload === r.workload);
    return [
      r.workload,
      fixed(r.produceMBps),
      fixed(r.produceRecordsPerSecond / 1e6, 2),
      `${fixed(r.sendLatencyMs.p50)}/${fixed(r.sendLatencyMs.p99)}`,
      base ? `${fixed((100 * r.produceMBps) / base.produceMBps, 0)} %` : '-',
      fixed(r.consumeMBps),
      base ? `${fixed((100 * r.consumeMBps) / base.consumeMBps, 0)} %` : '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(
    `\n@rill/client (goals: >= 70 % of the load generator with 1 KiB records, >= 1 M records/s with 100 B)\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`,
  );
  for (const row of rows) console.log(line(row));
}
