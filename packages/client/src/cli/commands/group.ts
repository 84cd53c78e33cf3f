import type { Command } from 'commander';
import { Admin } from '../../admin/admin.js';
import type { ResetTarget } from '../../admin/groups.js';
import { parseInteger } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { formatTable, json } from '../output.js';
import type { ActionContext, CliRuntime } from '../runtime.js';

async function withAdmin<T>(ctx: ActionContext, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(ctx.client);
  try {
    return await use(admin);
  } finally {
    await admin.close();
  }
}

interface ResetOptions {
  topic: string;
  partitions?: string;
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: string;
  toDatetime?: string;
  shiftBy?: string;
  execute?: boolean;
}

export function registerGroup(program: Command, runtime: CliRuntime): void {
  const group = program
    .command('group')
    .description('list, inspect, reset and delete consumer groups');

  registerGroupList(group, runtime);
  registerGroupDescribe(group, runtime);
  registerGroupResetOffsets(group, runtime);
  registerGroupDelete(group, runtime);
}

function registerGroupList(group: Command, runtime: CliRuntime): void {
  group
    .command('list')
    .alias('ls')
    .description('list consumer groups')
    .action(
      runtime.action(async (ctx) => {
        const groups = await withAdmin(ctx, (admin) => admin.listGroups());
        if (ctx.format === 'json') return void (await ctx.out.write(json(groups)));
        await ctx.out.write(
          formatTable(
            ['GROUP', 'PROTOCOL-TYPE'],
            groups.map((g) => [g.groupId, g.protocolType]),
          ),
        );
      }),
    );
}

function registerGroupDescribe(group: Command, runtime: CliRuntime): void {
  group
    .command('describe')
    .description('members, and per partition CURRENT-OFFSET, LOG-END-OFFSET and LAG')
    .argument('<group>')
    .action(
      runtime.action(async (ctx, args) => {
        const { group: g, partitions } = await withAdmin(ctx, (admin) =>
          admin.describeGroupLag(args[0] as string),
        );
        const totalLag = partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0);
        if (ctx.format === 'json')
          return void (await ctx.out.write(json({ ...g, totalLag, partitions })));
        await ctx.out.write(
          `GROUP: ${g.groupId}\nSTATE: ${g.state}\nPROTOCOL: ${g.protocol || '-'}\nMEMBERS: ${g.members.length}\nTOTAL-LAG: ${totalLag}\n\n`,
        );
        const rows = partitions.map((p) => [
          g.groupId,
          p.topic,
          p.partition,
          p.currentOffset,
          p.logEndOffset,
          p.lag,
          p.memberId,
          p.host,
          p.clientId,
        ]);
        await ctx.out.write(
          formatTable(
            [
              'GROUP',
              'TOPIC',
              'PARTITION',
              'CURRENT-OFFSET',
              'LOG-END-OFFSET',
              'LAG',
              'CONSUMER-ID',
              'HOST',
              'CLIENT-ID',
            ],
            rows,
          ),
        );
      }),
    );
}

function registerGroupResetOffsets(group: Command, runtime: CliRuntime): void {
  group
    .command('reset-offsets')
    .alias('seek')
    .description("move an idle group's committed offsets (a dry run unless --execute)")
    .argument('<group>')
    .requiredOption('-t, --topic <topic>', 'the topic whose offsets move')
    .option('-p, --partitions <list>', 'only these partitions, comma-separated')
    .option('--to-earliest', 'to the earliest offset')
    .option('--to-latest', 'to the end')
    .option('--to-offset <n>', 'to this offset (clamped to what exists)')
    .option(
      '--to-datetime <time>',
      'to the first record at or after an ISO time or ms since the epoch',
    )
    .option('--shift-by <n>', 'forward (or back, if negative) from the committed offset')
    .option('--execute', 'commit the new offsets (default: only show them)')
    .action(
      runtime.action<ResetOptions>(async (ctx, args, o) => {
        const target = resetTarget(o);
        const partitions = o.partitions
          ?.split(',')
          .map((s) => parseInteger('--partitions', s.trim(), 0));
        const resets = await withAdmin(ctx, (admin) =>
          admin.resetOffsets({
            groupId: args[0] as string,
            topic: o.topic,
            partitions,
            target,
            dryRun: !o.execute,
          }),
        );
        if (ctx.format === 'json')
          return void (await ctx.out.write(json({ executed: o.execute === true, resets })));
        await ctx.out.write(
          formatTable(
            ['GROUP', 'TOPIC', 'PARTITION', 'PREVIOUS-OFFSET', 'NEW-OFFSET'],
            resets.map((r) => [
              args[0] as string,
              r.topic,
              r.partition,
              r.previousOffset,
              r.newOffset,
            ]),
          ),
        );
        if (!o.execute) ctx.note('dry run: nothing changed; add --execute to commit these offsets');
      }),
    );
}

function registerGroupDelete(group: Command, runtime: CliRuntime): void {
  group
    .command('delete')
    .description('delete groups and their committed offsets')
    .argument('<groups...>')
    .action(
      runtime.action(async (ctx, args) => {
        const names = args[0] as string[];
        await withAdmin(ctx, (admin) => admin.deleteGroups(names));
        if (ctx.format === 'json')
          return void (await ctx.out.write(
            json(names.map((groupId) => ({ groupId, status: 'deleted' }))),
          ));
        await ctx.out.write(
          formatTable(
            ['GROUP', 'STATUS'],
            names.map((name) => [name, 'DELETED']),
          ),
        );
      }),
    );
}

function resetTarget(o: ResetOptions): ResetTarget {
  const chosen: ResetTarget[] = [];
  if (o.toEarliest) chosen.push({ to: 'earliest' });
  if (o.toLatest) chosen.push({ to: 'latest' });
  if (o.toOffset !== undefined)
    chosen.push({ to: 'offset', offset: parseInteger('--to-offset', o.toOffset, 0) });
  if (o.shiftBy !== undefined)
    chosen.push({
      to: 'shift',
      by: parseInteger('--shift-by', o.shiftBy, Number.MIN_SAFE_INTEGER),
    });
  if (o.toDatetime !== undefined) {
    const ms = /^\d+$/.test(o.toDatetime) ? Number(o.toDatetime) : Date.parse(o.toDatetime);
    if (!Number.isFinite(ms))
      throw new UsageError(
        `--to-datetime: "${o.toDatetime}" is not an ISO time or ms since the epoch`,
      );
    chosen.push({ to: 'timestamp', timestampMs: ms });
  }
  if (chosen.length !== 1)
    throw new UsageError(
      'choose exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by',
    );
  return chosen[0]!;
}
