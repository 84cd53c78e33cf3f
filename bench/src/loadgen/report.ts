export interface WorkloadReport {
  readonly workload: string;
  readonly produceMBps: number;
  readonly produceRecordsPerSecond: number;
  readonly produceLatencyMs: { readonly p50: number; readonly p99: number; readonly p999: number };
  readonly consumeMBps: number;
  readonly baselineMBps: number;
  readonly brokerCpuCoresProduce: number;
  readonly brokerCpuCoresConsume: number;
  readonly brokerPeakRssMB: number;
  readonly bytesProduced: number;
}

const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** A table a person can read; figures are also written as JSON. */
export function printReport(reports: readonly WorkloadReport[]): void {
  const rows = reports.map((r) => [
    r.workload,
    fixed(r.produceMBps),
    fixed(r.produceRecordsPerSecond / 1e6, 2),
    `${fixed(r.produceLatencyMs.p50)}/${fixed(r.produceLatencyMs.p99)}/${fixed(r.produceLatencyMs.p999)}`,
    fixed(r.consumeMBps),
    fixed(r.baselineMBps),
    fixed(r.produceMBps / r.baselineMBps, 2),
    `${fixed(r.brokerCpuCoresProduce, 2)}/${fixed(r.brokerCpuCoresConsume, 2)}`,
    fixed(r.brokerPeakRssMB, 0),
  ]);
  const header = [
    'workload', 'produce MB/s', 'M rec/s', 'latency ms p50/p99/p999', 'consume MB/s', 'raw append MB/s',
    'produce/raw', 'broker cores prod/cons', 'broker peak RSS MB',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
}
