import { createReadStream } from 'node:fs';
import { Option, type Command } from 'commander';
import { inputLineBytesMax } from '../../limits.js';
import { Producer, type ProducerRecord } from '../../producer/producer.js';
import type { Acks } from '../../producer/options.js';
import { collect, parseInteger, parsePairs } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { readLines } from '../line-reader.js';
import { json } from '../output.js';
import type { ActionContext, CliRuntime } from '../runtime.js';

interface ProduceOptions {
  file?: string;
  keySeparator?: string;
  key?: string;
  header: string[];
  partition?: string;
  acks: string;
  compression: 'none' | 'gzip';
  input: 'text' | 'json';
  lingerMs: string;
}

/** Lines per send() call, and send() calls awaited at once: enough to keep batches full. */
const LINES_PER_SEND = 500;
const SENDS_IN_FLIGHT = 8;

export function registerProduce(program: Command, runtime: CliRuntime): void {
  program
    .command('produce')
    .description('produce one record per input line (stdin, or --file)')
    .argument('<topic>')
    .option('-f, --file <path>', 'read lines from a file instead of stdin')
    .option('-k, --key-separator <sep>', 'split each line at the first <sep> into key and value')
    .option('-K, --key <key>', 'the key of every record')
    .option('-H, --header <key=value>', 'a header on every record; repeat for more', collect, [])
    .option('-p, --partition <n>', 'write every record to this partition')
    .addOption(
      new Option('--acks <acks>', 'acknowledgement: 0, 1 or all')
        .choices(['0', '1', 'all', '-1'])
        .default('all'),
    )
    .addOption(
      new Option('-z, --compression <codec>', 'batch compression')
        .choices(['none', 'gzip'])
        .default('none'),
    )
    .addOption(
      new Option('--input <format>', 'text lines, or JSON objects {key, value, headers, partition}')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option('--linger-ms <ms>', 'how long a batch waits for more records', '5')
    .action(
      runtime.action<ProduceOptions>(async (ctx, args, o) => produce(ctx, args[0] as string, o)),
    );
}

/** Reads lines and sends them in calls of LINES_PER_SEND, a few calls in flight at once. */
async function produce(ctx: ActionContext, topic: string, o: ProduceOptions): Promise<void> {
  const toRecord = recordParser(o);
  const acks: Acks = o.acks === 'all' || o.acks === '-1' ? 'all' : (Number(o.acks) as 0 | 1);
  const producer = new Producer({
    ...ctx.client,
    acks,
    compression: o.compression,
    lingerMs: parseInteger('--linger-ms', o.lingerMs, 0),
    // A script should hear about an unreachable cluster in seconds, not minutes.
    maxBlockMs: 15_000,
    deliveryTimeoutMs: 30_000,
  });
  const input = o.file === undefined ? ctx.io.stdin : createReadStream(o.file);
  const pending: Promise<unknown>[] = [];
  let lines: ProducerRecord[] = [];
  let count = 0;
  const flushLines = async () => {
    if (lines.length === 0) return;
    const sent = producer.send({ topic, messages: lines });
    // Handled when awaited below; this keeps an early failure from being "unhandled".
    sent.catch(() => undefined);
    pending.push(sent);
    count += lines.length;
    lines = [];
    if (pending.length >= SENDS_IN_FLIGHT) await pending.shift();
  };
  // Ctrl-C while waiting on a terminal: stop reading, deliver what was read, exit cleanly.
  const stopReading = () => input.destroy();
  ctx.signal.addEventListener('abort', stopReading);
  try {
    try {
      for await (const line of readLines(input, inputLineBytesMax)) {
        lines.push(toRecord(line));
        if (lines.length >= LINES_PER_SEND) await flushLines();
      }
    } catch (error) {
      if (!ctx.signal.aborted) throw error;
    }
    await flushLines();
    await Promise.all(pending);
  } finally {
    ctx.signal.removeEventListener('abort', stopReading);
    await producer.close();
  }
  if (ctx.format === 'json') await ctx.out.write(json({ topic, records: count }));
  else ctx.note(`produced ${count} record(s) to ${topic}`);
}

function recordParser(o: ProduceOptions): (line: string) => ProducerRecord {
  const headers = parsePairs('--header', o.header);
  const partition =
    o.partition === undefined ? undefined : parseInteger('--partition', o.partition, 0);
  const fixedKey = o.key ?? null;
  if (o.keySeparator === '') throw new UsageError('--key-separator must not be empty');
  if (o.input === 'json') return (line) => fromJson(line, headers, partition);
  return (line) => {
    if (o.keySeparator === undefined) return { key: fixedKey, value: line, headers, partition };
    const at = line.indexOf(o.keySeparator);
    if (at < 0) return { key: fixedKey, value: line, headers, partition };
    return {
      key: line.slice(0, at),
      value: line.slice(at + o.keySeparator.length),
      headers,
      partition,
    };
  };
}

function fromJson(
  line: string,
  headers: Record<string, string>,
  partition: number | undefined,
): ProducerRecord {
  let parsed: { key?: unknown; value?: unknown; headers?: unknown; partition?: unknown };
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch {
    throw new UsageError(`--input json: not a JSON object: ${line.slice(0, 80)}`);
  }
  const text = (v: unknown) =>
    v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
  const own =
    typeof parsed.headers === 'object' && parsed.headers !== null
      ? (parsed.headers as Record<string, unknown>)
      : {};
  return {
    key: text(parsed.key),
    value: text(parsed.value),
    headers: {
      ...headers,
      ...Object.fromEntries(Object.entries(own).map(([k, v]) => [k, text(v)])),
    },
    partition: typeof parsed.partition === 'number' ? parsed.partition : partition,
  };
}
