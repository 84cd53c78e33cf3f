import { Option, type Command } from 'commander';
import { Admin } from '../../admin/admin.js';
import { Consumer } from '../../consumer/consumer.js';
import { Producer } from '../../producer/producer.js';
import type { Acks } from '../../producer/options.js';
import { parseInteger } from '../context.js';
import { json } from '../output.js';
import { ProgressBar } from '../progress.js';
import type { ActionContext, CliRuntime } from '../runtime.js';
import { LatencySamples } from '../stats.js';

interface BenchOptions {
  topic: string;
  records: string;
  recordSize: string;
  partitions: string;
  acks: string;
  batchSize: string;
  lingerMs: string;
  perSend: string;
  compression: 'none' | 'gzip';
}

export interface BenchSummary {
  readonly records: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly megabytesPerSecond: number;
  /** produce: latency of one send() call until acknowledged; consume: wait per batch. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly p999: number };
}

export function registerBench(program: Command, runtime: CliRuntime): void {
  const bench = program
    .command('bench')
    .description('measure produce and consume throughput against the cluster');
  bench
    .command('produce')
    .description('produce records as fast as the cluster accepts them')
    .option('-t, --topic <topic>', 'topic (created if missing)', 'rill-bench')
    .option('-n, --records <n>', 'records to produce', '1000000')
    .option('-s, --record-size <bytes>', 'value size of each record', '100')
    .option('-p, --partitions <n>', 'partitions when the topic is created', '1')
    .addOption(
      new Option('--acks <acks>', 'acknowledgement').choices(['0', '1', 'all']).default('1'),
    )
    .option('--batch-size <bytes>', 'producer batch.size', String(256 * 1024))
    .option('--linger-ms <ms>', 'producer linger.ms', '5')
    .option('--per-send <n>', 'records per send() call', '1000')
    .addOption(
      new Option('-z, --compression <codec>', 'batch compression')
        .choices(['none', 'gzip'])
        .default('none'),
    )
    .action(
      runtime.action<BenchOptions>(async (ctx, _args, o) =>
        report(ctx, 'produce', await benchProduce(ctx, o)),
      ),
    );
  bench
    .command('consume')
    .description('read records from the beginning of a topic as fast as possible')
    .option('-t, --topic <topic>', 'topic', 'rill-bench')
    .option('-n, --records <n>', 'records to read (at most what the topic holds)', '1000000')
    .action(
      runtime.action<{ topic: string; records: string }>(async (ctx, _args, o) =>
        report(ctx, 'consume', await benchConsume(ctx, o)),
      ),
    );
}

async function report(ctx: ActionContext, what: string, s: BenchSummary): Promise<void> {
  if (ctx.format === 'json') return void (await ctx.out.write(json({ benchmark: what, ...s })));
  const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(2));
  await ctx.out.write(
    `${what}: ${s.records.toLocaleString('en-US')} records, ${(s.bytes / 1e6).toFixed(1)} MB in ${s.seconds.toFixed(2)} s\n` +
      `  ${Math.round(s.recordsPerSecond).toLocaleString('en-US')} records/s, ${s.megabytesPerSecond.toFixed(1)} MB/s\n` +
      `  latency ms: p50 ${ms(s.latencyMs.p50)}  p99 ${ms(s.latencyMs.p99)}  p99.9 ${ms(s.latencyMs.p999)}\n`,
  );
}

async function benchProduce(ctx: ActionContext, o: BenchOptions): Promise<BenchSummary> {
  const total = parseInteger('--records', o.records, 1);
  const size = parseInteger('--record-size', o.recordSize, 0);
  const perSend = parseInteger('--per-send', o.perSend, 1, 100_000);
  const admin = new Admin(ctx.client);
  try {
    await admin.createTopics(
      [{ name: o.topic, partitions: parseInteger('--partitions', o.partitions, 1) }],
      { ifNotExists: true },
    );
  } finally {
    await admin.close();
  }
  const batchSize = parseInteger('--batch-size', o.batchSize, 1);
  const producer = new Producer({
    ...ctx.client,
    acks: (o.acks === 'all' ? 'all' : Number(o.acks)) as Acks,
    batchSize,
    maxRequestSize: Math.max(batchSize, 1024 * 1024),
    bufferMemoryBytes: Math.max(64 * 1024 * 1024, 4 * batchSize),
    lingerMs: parseInteger('--linger-ms', o.lingerMs, 0),
    compression: o.compression,
  });
  const value = Buffer.alloc(size, 0x61);
  const messages = Array.from({ length: perSend }, () => ({ value }));
  const latency = new LatencySamples();
  const bar = new ProgressBar(ctx.io.stderr, total, 'produce');
  let acknowledged = 0;
  const started = performance.now();
  try {
    await producer.connect();
    const inFlight = new Set<Promise<void>>();
    for (let sent = 0; sent < total && !ctx.signal.aborted; sent += perSend) {
      const count = Math.min(perSend, total - sent);
      const at = performance.now();
      const call = producer
        .send({ topic: o.topic, messages: count === perSend ? messages : messages.slice(0, count) })
        .then(() => {
          latency.add(performance.now() - at);
          acknowledged += count;
          bar.update(acknowledged, acknowledged * size);
        });
      inFlight.add(call);
      void call.finally(() => inFlight.delete(call)).catch(() => undefined);
      // Enough calls in flight to keep every batch full; the buffer memory bounds the rest.
      if (inFlight.size >= 64) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    bar.finish();
    await producer.close();
  }
  return summary(acknowledged, acknowledged * size, performance.now() - started, latency);
}

async function benchConsume(
  ctx: ActionContext,
  o: { topic: string; records: string },
): Promise<BenchSummary> {
  const wanted = parseInteger('--records', o.records, 1);
  const admin = new Admin(ctx.client);
  let partitions: number[];
  let available: number;
  try {
    const offsets = await admin.listOffsets(o.topic, 'latest');
    partitions = offsets.map((p) => p.partition);
    available = offsets.reduce((sum, p) => sum + p.offset, 0);
  } finally {
    await admin.close();
  }
  const total = Math.min(wanted, available);
  const consumer = new Consumer({
    ...ctx.client,
    autoOffsetReset: 'earliest',
    maxBufferedBytes: 256 * 1024 * 1024,
  });
  consumer.assign(partitions.map((partition) => ({ topic: o.topic, partition })));
  const latency = new LatencySamples();
  const bar = new ProgressBar(ctx.io.stderr, total, 'consume');
  let records = 0;
  let bytes = 0;
  const started = performance.now();
  let waitStarted = started;
  try {
    for await (const batch of consumer) {
      latency.add(performance.now() - waitStarted);
      records += batch.records.length;
      for (const record of batch.records) bytes += record.value?.length ?? 0;
      bar.update(records, bytes);
      if (records >= total || ctx.signal.aborted) break;
      waitStarted = performance.now();
    }
  } finally {
    bar.finish();
    await consumer.close();
  }
  return summary(records, bytes, performance.now() - started, latency);
}

function summary(
  records: number,
  bytes: number,
  elapsedMs: number,
  latency: LatencySamples,
): BenchSummary {
  const seconds = elapsedMs / 1000;
  return {
    records,
    bytes,
    seconds,
    recordsPerSecond: records / seconds,
    megabytesPerSecond: bytes / 1e6 / seconds,
    latencyMs: {
      p50: latency.percentile(0.5),
      p99: latency.percentile(0.99),
      p999: latency.percentile(0.999),
    },
  };
}
