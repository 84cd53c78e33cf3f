import { Option, type Command } from 'commander';
import { Admin, type TopicDescription } from '../../admin/admin.js';
import type { ConfigEntry } from '../../admin/configs.js';
import { UnsupportedFeatureError } from '../../errors.js';
import { collect, parseInteger, parsePairs } from '../context.js';
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

export function registerTopic(program: Command, runtime: CliRuntime): void {
  const topic = program.command('topic').description('create, inspect, change and delete topics');

  registerCreate(topic, runtime);
  registerDescribe(topic, runtime);

  registerTopicList(topic, runtime);
  registerTopicDelete(topic, runtime);
  registerTopicAddPartitions(topic, runtime);
  registerTopicAlterConfig(topic, runtime);
}

function registerTopicList(topic: Command, runtime: CliRuntime): void {
  topic
    .command('list')
    .alias('ls')
    .description('list topics with their partition and replica counts')
    .option('-i, --internal', 'include internal topics')
    .action(
      runtime.action<{ internal?: boolean }>(async (ctx, _args, options) => {
        const described = await withAdmin(ctx, (admin) => admin.describeTopics());
        const topics = described.filter((t) => options.internal === true || !t.isInternal);
        if (ctx.format === 'json')
          return void (await ctx.out.write(json(topics.map(topicSummary))));
        await ctx.out.write(
          formatTable(
            ['NAME', 'PARTITIONS', 'REPLICAS'],
            topics.map((t) => {
              const s = topicSummary(t);
              return [s.name, s.partitions, s.replicationFactor];
            }),
          ),
        );
      }),
    );
}

function registerTopicDelete(topic: Command, runtime: CliRuntime): void {
  topic
    .command('delete')
    .description('delete topics and all their data')
    .argument('<topics...>', 'names of the topics to delete')
    .action(
      runtime.action(async (ctx, args) => {
        const names = args[0] as string[];
        await withAdmin(ctx, (admin) => admin.deleteTopics(names));
        if (ctx.format === 'json')
          return void (await ctx.out.write(
            json(names.map((name) => ({ name, status: 'deleted' }))),
          ));
        await ctx.out.write(
          formatTable(
            ['TOPIC', 'STATUS'],
            names.map((name) => [name, 'DELETED']),
          ),
        );
      }),
    );
}

function registerTopicAddPartitions(topic: Command, runtime: CliRuntime): void {
  topic
    .command('add-partitions')
    .description('grow a topic to a larger partition count')
    .argument('<topic>')
    .requiredOption('-n, --num <n>', 'the total number of partitions afterwards')
    .action(
      runtime.action<{ num: string }>(async (ctx, args, o) => {
        const count = parseInteger('--num', o.num, 1);
        await withAdmin(ctx, (admin) =>
          admin.createPartitions([{ topic: args[0] as string, count }]),
        );
        if (ctx.format === 'json')
          return void (await ctx.out.write(json({ topic: args[0], partitions: count })));
        await ctx.out.write(`${args[0] as string} now has ${count} partitions\n`);
      }),
    );
}

function registerTopicAlterConfig(topic: Command, runtime: CliRuntime): void {
  topic
    .command('alter-config')
    .description('set or delete topic configs; the others keep their values')
    .argument('<topic>')
    .option('-s, --set <key=value>', 'a config to set; repeat for more', collect, [])
    .option('-d, --delete <key>', 'a config to return to its default; repeat for more', collect, [])
    .option('--dry-run', 'only validate the change')
    .action(
      runtime.action<{ set: string[]; delete: string[]; dryRun?: boolean }>(async (ctx, args, o) => {
        if (o.set.length === 0 && o.delete.length === 0)
          throw new UsageError('alter-config needs at least one --set or --delete');
        const set = parsePairs('--set', o.set);
        const name = args[0] as string;
        await withAdmin(ctx, (admin) =>
          admin.alterConfigs(
            { type: 'topic', name },
            { set, delete: o.delete },
            { validateOnly: o.dryRun === true },
          ),
        );
        const status = o.dryRun === true ? 'valid' : 'updated';
        if (ctx.format === 'json')
          return void (await ctx.out.write(json({ topic: name, set, deleted: o.delete, status })));
        const count = Object.keys(set).length + o.delete.length;
        await ctx.out.write(
          o.dryRun === true
            ? `${count} config change(s) of ${name} are valid (nothing changed)\n`
            : `updated ${count} config(s) of ${name}\n`,
        );
      }),
    );
}

function registerCreate(topic: Command, runtime: CliRuntime): void {
  topic
    .command('create')
    .description('create topics')
    .argument('<topics...>', 'names of the topics to create')
    .option('-p, --partitions <n>', "partitions per topic (default: the broker's num.partitions)")
    .option(
      '-r, --replication-factor <n>',
      "replicas per partition (default: the broker's default.replication.factor)",
    )
    .option('-c, --config <key=value>', 'a topic config; repeat for more', collect, [])
    .option('--if-not-exists', 'succeed if a topic already exists')
    .option('--dry-run', 'only validate the request')
    .action(
      runtime.action<{
        partitions?: string;
        replicationFactor?: string;
        config: string[];
        ifNotExists?: boolean;
        dryRun?: boolean;
      }>(async (ctx, args, o) => {
        const names = args[0] as string[];
        const partitions =
          o.partitions === undefined ? undefined : parseInteger('--partitions', o.partitions, 1);
        const replicationFactor =
          o.replicationFactor === undefined
            ? undefined
            : parseInteger('--replication-factor', o.replicationFactor, 1, 32767);
        const configs = parsePairs('--config', o.config);
        await withAdmin(ctx, (admin) =>
          admin.createTopics(
            names.map((name) => ({ name, partitions, replicationFactor, configs })),
            { ifNotExists: o.ifNotExists, validateOnly: o.dryRun },
          ),
        );
        const status = o.dryRun ? 'VALID' : 'CREATED';
        if (ctx.format === 'json')
          return void (await ctx.out.write(
            json(names.map((name) => ({ name, status: status.toLowerCase() }))),
          ));
        await ctx.out.write(
          formatTable(
            ['TOPIC', 'STATUS'],
            names.map((name) => [name, status]),
          ),
        );
      }),
    );
}

function topicSummary(t: TopicDescription) {
  return {
    name: t.name,
    partitions: t.partitions.length,
    replicationFactor: t.partitions[0]?.replicas.length ?? 0,
    internal: t.isInternal,
  };
}

function registerDescribe(topic: Command, runtime: CliRuntime): void {
  topic
    .command('describe')
    .description('partitions (leader, replicas, ISR) and configs of topics')
    .argument('[topics...]', 'topics to describe (default: all)')
    .addOption(
      new Option(
        '--under-replicated',
        'only partitions whose ISR is smaller than their replica set',
      ),
    )
    .addOption(new Option('--unavailable', 'only partitions without a leader'))
    .action(
      runtime.action<{ underReplicated?: boolean; unavailable?: boolean }>(async (ctx, args, o) => {
        const names = args[0] as string[];
        const { topics, configs } = await withAdmin(ctx, async (admin) => {
          const described = await admin.describeTopics(names.length > 0 ? names : undefined);
          const byTopic = new Map<string, ConfigEntry[] | null>();
          for (const t of described) byTopic.set(t.name, await configsOrNull(admin, t.name));
          return { topics: described, configs: byTopic };
        });
        const keep = (p: TopicDescription['partitions'][number]) =>
          (!o.underReplicated || p.isr.length < p.replicas.length) &&
          (!o.unavailable || p.leader < 0);
        if (ctx.format === 'json') {
          const out = topics.map((t) => ({
            ...topicSummary(t),
            partitions: t.partitions.filter(keep),
            configs: configs.get(t.name),
          }));
          return void (await ctx.out.write(json(out)));
        }
        for (const t of topics)
          await ctx.out.write(
            describeText(t, t.partitions.filter(keep), configs.get(t.name) ?? null),
          );
      }),
    );
}

async function configsOrNull(admin: Admin, name: string): Promise<ConfigEntry[] | null> {
  try {
    return await admin.describeConfigs({ type: 'topic', name });
  } catch (error) {
    if (error instanceof UnsupportedFeatureError) return null;
    throw error;
  }
}

function describeText(
  t: TopicDescription,
  partitions: TopicDescription['partitions'],
  configs: ConfigEntry[] | null,
): string {
  const set = configs?.filter((c) => c.source !== 'default' && c.source !== 'static-broker') ?? [];
  const configText =
    configs === null
      ? '(not served by this cluster)'
      : set.map((c) => `${c.name}=${c.sensitive ? '****' : c.value}`).join(',');
  const summary = topicSummary(t);
  const header = `Topic: ${t.name}\tPartitionCount: ${summary.partitions}\tReplicationFactor: ${summary.replicationFactor}\tConfigs: ${configText}\n`;
  const rows = partitions.map(
    (p) =>
      `\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}\n`,
  );
  return header + rows.join('');
}
