import type { RunResult, SystemRun } from './compare.js';
import { printTable } from './report.js';
import type { Workload } from './workloads.js';

const workload = (partitions: number, recordBytes: number, producers: number): Workload => ({
  name: `${recordBytes >= 1024 ? `${recordBytes / 1024} KiB` : `${recordBytes} B`} records, ${partitions} partition${partitions > 1 ? 's' : ''}, ${producers} producer${producers > 1 ? 's' : ''}`,
  partitions,
  recordBytes,
  producers,
});

/**
 * Max-rate throughput as one thing changes from the reference (1 KiB records, 8 partitions,
 * one producer): partitions 1-512, record size 100 B-10 KiB, producers 1-4.
 */
export const scalingWorkloads: readonly Workload[] = [
  workload(8, 1024, 1),
  workload(1, 1024, 1),
  workload(64, 1024, 1),
  workload(512, 1024, 1),
  workload(8, 100, 1),
  workload(8, 10 * 1024, 1),
  workload(8, 1024, 2),
  workload(8, 1024, 4),
];

const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export function printScaling(runs: readonly SystemRun[]): void {
  const sections: { title: string; pick: (r: RunResult) => boolean; label: (r: RunResult) => string; order: (r: RunResult) => number }[] = [
    { title: 'partitions (1 KiB records, 1 producer)', pick: (r) => r.recordBytes === 1024 && r.producers === 1, label: (r) => String(r.partitions), order: (r) => r.partitions },
    { title: 'record size (8 partitions, 1 producer)', pick: (r) => r.partitions === 8 && r.producers === 1, label: (r) => `${r.recordBytes} B`, order: (r) => r.recordBytes },
    { title: 'producers (1 KiB records, 8 partitions)', pick: (r) => r.partitions === 8 && r.recordBytes === 1024, label: (r) => String(r.producers), order: (r) => r.producers },
  ];
  for (const section of sections) {
    const rows = runs.flatMap((run) => {
      const reference = run.results.find((r) => r.partitions === 8 && r.recordBytes === 1024 && r.producers === 1);
      return run.results
        .filter(section.pick)
        .sort((a, b) => section.order(a) - section.order(b))
        .map((r) => [
          run.system,
          section.label(r),
          fixed(r.produce.MBps),
          fixed(r.produce.recordsPerSecond / 1000, 0),
          reference ? `${fixed((100 * r.produce.MBps) / reference.produce.MBps, 0)} %` : '-',
          fixed(r.consume.MBps),
          r.serverCores.produce.map((c) => fixed(c, 2)).join('/'),
          r.serverRssMaxMB.map((m) => fixed(m, 0)).join('/'),
        ]);
    });
    printTable(
      `Scaling: ${section.title}`,
      ['system', 'value', 'produce MB/s', 'k rec/s', 'vs 8 partitions, 1 KiB, 1 producer', 'consume MB/s', 'server cores', 'RSS max MB'],
      rows,
    );
  }
}
