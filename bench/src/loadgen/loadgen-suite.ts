import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApiKey, ErrorCode, decodeResponse, encodeRequest } from '@rill/protocol';
import { ServerProcess } from '@rill/testkit';
import { runClientBench } from './client-load.js';
import { runConsumeLoad } from './consume-load.js';
import { PipelinedConnection } from './pipelined-connection.js';
import { cpuSeconds, peakRssBytes } from '../process-stats.js';
import { runProduceLoad } from './produce-load.js';
import { runRawBaseline } from './raw-baseline.js';
import { printReport, type WorkloadReport } from './report.js';
import { percentile } from '../stats.js';
import { buildBatches, workloads, type Workload } from './workload.js';

/**
 * The load-generator suite (`pnpm bench --loadgen`): a fresh single rill-server per workload,
 * driven with pipelined pre-built produce requests (acks=1) and read back, beside a raw
 * file-append baseline; then the same workloads through @rill/client, as a share of it.
 */
export async function runLoadgenSuite(seconds: number): Promise<void> {
  const reports: WorkloadReport[] = [];
  for (const workload of workloads) {
    process.stdout.write(`running: ${workload.name} ...\n`);
    reports.push(await runWorkload(workload, seconds * 1000));
  }
  printReport(reports);
  const resultsDir = fileURLToPath(new URL('../../results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const file = `${resultsDir}loadgen-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ seconds, reports }, null, 2));
  console.log(`\nresults written to ${file}`);
  await runClientBench({ workloads, durationMs: seconds * 1000, loadGenerator: reports });
}

async function runWorkload(workload: Workload, durationMs: number): Promise<WorkloadReport> {
  const server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
  try {
    const pid = server.pid!;
    const topic = 'bench';
    await createTopic(server.kafkaPort, topic, workload.partitions);
    const { batches, recordsPerBatch } = buildBatches(workload);
    const cpuBefore = cpuSeconds(pid);
    const produced = await runProduceLoad({
      port: server.kafkaPort, topic, batches, recordsPerBatch, inFlight: 8, durationMs, bytesMax: 8 * 1024 ** 3,
    });
    const produceCpu = (cpuSeconds(pid) - cpuBefore) / (produced.elapsedMs / 1000);
    const endOffsets = await latestOffsets(server.kafkaPort, topic, workload.partitions);
    const consumeCpuBefore = cpuSeconds(pid);
    const consumed = await runConsumeLoad({ port: server.kafkaPort, topic, partitions: workload.partitions, endOffsets });
    const consumeCpu = (cpuSeconds(pid) - consumeCpuBefore) / (consumed.elapsedMs / 1000);
    const baseline = runRawBaseline(Buffer.concat(batches), produced.bytes);
    const latencies = produced.latencyMs.sorted();
    return {
      workload: workload.name,
      produceMBps: produced.bytes / 1e6 / (produced.elapsedMs / 1000),
      produceRecordsPerSecond: produced.records / (produced.elapsedMs / 1000),
      produceLatencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), p999: percentile(latencies, 0.999) },
      consumeMBps: consumed.bytes / 1e6 / (consumed.elapsedMs / 1000),
      baselineMBps: baseline.bytes / 1e6 / (baseline.elapsedMs / 1000),
      brokerCpuCoresProduce: produceCpu,
      brokerCpuCoresConsume: consumeCpu,
      brokerPeakRssMB: peakRssBytes(pid) / 1e6,
      bytesProduced: produced.bytes,
    };
  } finally {
    await server.destroy();
  }
}

async function createTopic(port: number, topic: string, partitions: number): Promise<void> {
  const connection = await PipelinedConnection.open(port);
  const frame = encodeRequest(ApiKey.CreateTopics, 4, { correlationId: 1, clientId: 'rill-bench' }, {
    topics: [{ name: topic, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 10_000, validateOnly: false,
  } as never);
  const response = decodeResponse(ApiKey.CreateTopics, 4, await connection.request(frame)).body;
  connection.close();
  if (response.topics[0]!.errorCode !== ErrorCode.NONE) throw new Error(`cannot create ${topic}: ${response.topics[0]!.errorMessage}`);
}

async function latestOffsets(port: number, topic: string, partitions: number): Promise<number[]> {
  const connection = await PipelinedConnection.open(port);
  const frame = encodeRequest(ApiKey.ListOffsets, 3, { correlationId: 1, clientId: 'rill-bench' }, {
    replicaId: -1, isolationLevel: 0,
    topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1 })) }],
  } as never);
  const response = decodeResponse(ApiKey.ListOffsets, 3, await connection.request(frame)).body;
  connection.close();
  return response.topics[0]!.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => p.offset);
}
