import { Option, type Command } from 'commander';
import { Admin } from '../../admin/admin.js';
import { Consumer, type ConsumerBatch, type SeekTarget } from '../../consumer/consumer.js';
import type { ConsumerRecord } from '../../consumer/record-batches.js';
import type { TopicPartition } from '../../consumer/subscription-state.js';
import { parseInteger } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { json } from '../output.js';
import type { ActionContext, CliRuntime } from '../runtime.js';

interface ConsumeOptions {
  group?: string;
  fromBeginning?: boolean;
  offset?: string;
  partitions?: string;
  num?: string;
  exitAtEnd?: boolean;
  printKey?: boolean;
  printPartition?: boolean;
  printOffset?: boolean;
  keySeparator: string;
}

/** Where to start: earliest, latest, an offset, N before the end, or a time. */
type StartSpec =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: number }
  | { kind: 'fromEnd'; count: number }
  | { kind: 'time'; timestampMs: number };

export function registerConsume(program: Command, runtime: CliRuntime): void {
  program
    .command('consume')
    .description('print records of a topic, one per line')
    .argument('<topic>')
    .option('-g, --group <group>', 'consume as a member of this group, committing offsets')
    .option('--from-beginning', 'start at the earliest offset (same as -o start)')
    .option(
      '-o, --offset <spec>',
      'start at start|end|<offset>|-<n> (n before the end)|@<ms or ISO time>',
    )
    .option('-p, --partitions <list>', 'only these partitions, comma-separated')
    .option('-n, --num <n>', 'exit after n records')
    .option('-e, --exit-at-end', 'exit once every partition is read to its end')
    .option('--print-key', 'text output: print the key before the value')
    .option('--print-partition', 'text output: print the partition first')
    .option('--print-offset', 'text output: print the offset first')
    .addOption(
      new Option('--key-separator <sep>', 'text output: between printed fields').default('\t'),
    )
    .action(
      runtime.action<ConsumeOptions>(async (ctx, args, o) => consume(ctx, args[0] as string, o)),
    );
}

async function consume(ctx: ActionContext, topic: string, o: ConsumeOptions): Promise<void> {
  const limit = o.num === undefined ? Infinity : parseInteger('--num', o.num, 1);
  const start = parseStart(o.fromBeginning ? 'start' : (o.offset ?? 'end'));
  const consumer = new Consumer({
    ...ctx.client,
    groupId: o.group,
    autoOffsetReset: start.kind === 'earliest' ? 'earliest' : 'latest',
    maxWaitMs: 200,
  });
  const partitions = await choosePartitions(ctx, topic, o.partitions);
  const ends = o.exitAtEnd || start.kind === 'fromEnd' ? await endOffsets(ctx, topic) : null;
  const stop = () => consumer.interrupt();
  ctx.signal.addEventListener('abort', stop);
  let seen = 0;
  const printed = new Map<number, number>();
  const printRecord = recordPrinter(ctx, topic, o);
  let endCheck: NodeJS.Timeout | null = null;
  try {
    if (o.group !== undefined) await consumer.subscribe({ topics: [topic] });
    else {
      consumer.assign(partitions);
      applyStart(consumer, partitions, start, ends);
    }
    if (ends !== null && o.exitAtEnd)
      endCheck = setInterval(() => atEnd(consumer, ends) && stop(), 50);
    for await (const batch of consumer) {
      const count = await printBatch(ctx, batch, printRecord, limit - seen);
      seen += count;
      if (count > 0) printed.set(batch.partition, batch.records[count - 1]!.offset + 1);
      if (seen >= limit || ctx.out.closed) break;
    }
    // Commit exactly what was printed: -n may stop in the middle of a batch.
    if (o.group !== undefined && printed.size > 0)
      await consumer.commit(
        [...printed].map(([partition, offset]) => ({ topic, partition, offset })),
      );
  } finally {
    if (endCheck !== null) clearInterval(endCheck);
    ctx.signal.removeEventListener('abort', stop);
    await consumer.close();
  }
  ctx.note(`consumed ${seen} record(s)`);
}

function parseStart(spec: string): StartSpec {
  if (spec === 'start' || spec === 'beginning' || spec === 'earliest') return { kind: 'earliest' };
  if (spec === 'end' || spec === 'latest') return { kind: 'latest' };
  if (spec.startsWith('@')) {
    const text = spec.slice(1);
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(ms)) throw new UsageError(`-o @${text}: not a time in ms or an ISO date`);
    return { kind: 'time', timestampMs: ms };
  }
  if (/^-\d+$/.test(spec)) return { kind: 'fromEnd', count: Number(spec.slice(1)) };
  if (/^\d+$/.test(spec)) return { kind: 'offset', offset: Number(spec) };
  throw new UsageError(`-o takes start, end, an offset, -<n> or @<time>; got "${spec}"`);
}

async function choosePartitions(
  ctx: ActionContext,
  topic: string,
  list: string | undefined,
): Promise<TopicPartition[]> {
  const admin = new Admin(ctx.client);
  try {
    const [described] = await admin.describeTopics([topic]);
    const all = described!.partitions.map((p) => p.partition);
    if (list === undefined) return all.map((partition) => ({ topic, partition }));
    const wanted = list.split(',').map((s) => parseInteger('--partitions', s.trim(), 0));
    const missing = wanted.filter((p) => !all.includes(p));
    if (missing.length > 0)
      throw new UsageError(
        `${topic} has no partition ${missing.join(', ')} (it has ${all.length})`,
      );
    return wanted.map((partition) => ({ topic, partition }));
  } finally {
    await admin.close();
  }
}

async function endOffsets(ctx: ActionContext, topic: string): Promise<Map<number, number>> {
  const admin = new Admin(ctx.client);
  try {
    return new Map((await admin.listOffsets(topic, 'latest')).map((o) => [o.partition, o.offset]));
  } finally {
    await admin.close();
  }
}

function applyStart(
  consumer: Consumer,
  partitions: readonly TopicPartition[],
  start: StartSpec,
  ends: Map<number, number> | null,
): void {
  for (const tp of partitions) {
    let offset: SeekTarget;
    if (start.kind === 'earliest' || start.kind === 'latest') offset = start.kind;
    else if (start.kind === 'offset') offset = start.offset;
    else if (start.kind === 'time') offset = { timestampMs: start.timestampMs };
    else
      offset = ends === null ? 'latest' : Math.max(0, (ends.get(tp.partition) ?? 0) - start.count);
    consumer.seek({ ...tp, offset });
  }
}

/** Every partition's position has reached the end offsets taken at start. */
function atEnd(consumer: Consumer, ends: Map<number, number>): boolean {
  const assigned = consumer.assignment();
  return (
    assigned.length > 0 &&
    assigned.every((tp) => {
      const position = consumer.position(tp);
      return position !== null && position >= (ends.get(tp.partition) ?? 0);
    })
  );
}

function recordPrinter(
  ctx: ActionContext,
  topic: string,
  o: ConsumeOptions,
): (partition: number, r: ConsumerRecord) => string {
  if (ctx.format === 'json') {
    return (partition, r) =>
      json({
        topic,
        partition,
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key?.toString('utf8') ?? null,
        value: r.value?.toString('utf8') ?? null,
        headers: Object.fromEntries(
          r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? null]),
        ),
      });
  }
  return (partition, r) => {
    const fields: string[] = [];
    if (o.printPartition) fields.push(String(partition));
    if (o.printOffset) fields.push(String(r.offset));
    if (o.printKey) fields.push(r.key?.toString('utf8') ?? 'null');
    fields.push(r.value?.toString('utf8') ?? 'null');
    return fields.join(o.keySeparator) + '\n';
  };
}

async function printBatch(
  ctx: ActionContext,
  batch: ConsumerBatch,
  print: (partition: number, r: ConsumerRecord) => string,
  room: number,
): Promise<number> {
  const records = batch.records.length > room ? batch.records.slice(0, room) : batch.records;
  let text = '';
  for (const record of records) text += print(batch.partition, record);
  await ctx.out.write(text);
  return records.length;
}
