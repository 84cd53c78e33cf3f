import type { Command } from 'commander';
import { Admin } from '../../admin/admin.js';
import type { QuorumDescription } from '../../admin/quorum.js';
import { delay } from '../../cluster/retry.js';
import { ExitCode } from '../exit-codes.js';
import { formatTable, json } from '../output.js';
import type { ActionContext, CliRuntime } from '../runtime.js';

export interface ClusterHealth {
  readonly healthy: boolean;
  readonly reasons: readonly string[];
  readonly controllerId: number;
  readonly allNodes: readonly number[];
  readonly nodesDown: readonly number[];
  readonly leaderlessPartitions: readonly string[];
  readonly underReplicatedPartitions: readonly string[];
}

/** rpk's health verdict from metadata: a controller, every replica's node up, leaders, full ISRs. */
export async function clusterHealth(admin: Admin): Promise<ClusterHealth> {
  const cluster = await admin.describeCluster();
  const topics = await admin.describeTopics();
  const up = new Set(cluster.brokers.map((b) => b.nodeId));
  const mentioned = new Set<number>();
  const leaderless: string[] = [];
  const underReplicated: string[] = [];
  for (const t of topics) {
    for (const p of t.partitions) {
      for (const id of p.replicas) mentioned.add(id);
      if (p.leader < 0 || !up.has(p.leader)) leaderless.push(`${t.name}/${p.partition}`);
      if (p.isr.length < p.replicas.length) underReplicated.push(`${t.name}/${p.partition}`);
    }
  }
  const nodesDown = [...mentioned].filter((id) => !up.has(id)).sort((a, b) => a - b);
  const reasons: string[] = [];
  if (cluster.controllerId < 0) reasons.push('no_controller');
  if (nodesDown.length > 0) reasons.push('nodes_down');
  if (leaderless.length > 0) reasons.push('leaderless_partitions');
  if (underReplicated.length > 0) reasons.push('under_replicated_partitions');
  return {
    healthy: reasons.length === 0,
    reasons,
    controllerId: cluster.controllerId,
    allNodes: [...up].sort((a, b) => a - b),
    nodesDown,
    leaderlessPartitions: leaderless,
    underReplicatedPartitions: underReplicated,
  };
}

function healthText(h: ClusterHealth): string {
  const list = (items: readonly (string | number)[]) => `[${items.join(' ')}]`;
  return (
    [
      `Healthy:                          ${h.healthy}`,
      `Unhealthy reasons:                ${list(h.reasons)}`,
      `Controller ID:                    ${h.controllerId}`,
      `All nodes:                        ${list(h.allNodes)}`,
      `Nodes down:                       ${list(h.nodesDown)}`,
      `Leaderless partitions (${h.leaderlessPartitions.length}):       ${list(h.leaderlessPartitions)}`,
      `Under-replicated partitions (${h.underReplicatedPartitions.length}): ${list(h.underReplicatedPartitions)}`,
    ].join('\n') + '\n'
  );
}

async function withAdmin<T>(ctx: ActionContext, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(ctx.client);
  try {
    return await use(admin);
  } finally {
    await admin.close();
  }
}

export function registerCluster(program: Command, runtime: CliRuntime): void {
  const cluster = program
    .command('cluster')
    .description('brokers, health and the controller quorum');

  cluster
    .command('info')
    .description("cluster id, controller, and every broker's address")
    .action(
      runtime.action(async (ctx) => {
        const info = await withAdmin(ctx, (admin) => admin.describeCluster());
        if (ctx.format === 'json') return void (await ctx.out.write(json(info)));
        await ctx.out.write(
          `CLUSTER: ${info.clusterId ?? '-'}\nCONTROLLER: ${info.controllerId}\n\n`,
        );
        await ctx.out.write(
          formatTable(
            ['ID', 'HOST', 'PORT', 'RACK'],
            info.brokers.map((b) => [b.nodeId, b.host, b.port, b.rack]),
          ),
        );
      }),
    );

  cluster
    .command('health')
    .description('is every partition led and fully replicated? (exit 10 if not)')
    .option('-w, --watch', 'print the verdict again every --interval-ms until interrupted')
    .option('-E, --exit-when-healthy', 'with --watch: exit 0 once healthy')
    .option('--interval-ms <ms>', 'time between checks with --watch', '2000')
    .action(
      runtime.action<{ watch?: boolean; exitWhenHealthy?: boolean; intervalMs: string }>(
        async (ctx, _args, o) => {
          for (;;) {
            const health = await withAdmin(ctx, (admin) => clusterHealth(admin));
            await ctx.out.write(ctx.format === 'json' ? json(health) : healthText(health));
            const done =
              !o.watch || (o.exitWhenHealthy === true && health.healthy) || ctx.signal.aborted;
            if (done) return health.healthy ? ExitCode.ok : ExitCode.unhealthy;
            await delay(Number(o.intervalMs) || 2000);
          }
        },
      ),
    );

  cluster
    .command('quorum')
    .description('the controller quorum: leader, epoch, high watermark, and each voter and observer')
    .action(
      runtime.action(async (ctx) => {
        const quorum = await withAdmin(ctx, (admin) => admin.describeQuorum());
        if (ctx.format === 'json') return void (await ctx.out.write(json(quorum)));
        await ctx.out.write(quorumText(quorum, Date.now()));
      }),
    );
}

/** kafka-metadata-quorum's status and replication views in one. */
function quorumText(q: QuorumDescription, nowMs: number): string {
  const ago = (ms: number | null) => (ms === null ? null : `${Math.max(0, nowMs - ms)} ms ago`);
  const replicas = [...q.voters, ...q.observers];
  return (
    `LEADER: ${q.leaderId}\tEPOCH: ${q.leaderEpoch}\tHIGH-WATERMARK: ${q.highWatermark}\n` +
    `VOTERS: [${q.voters.map((v) => v.nodeId).join(',')}]\tOBSERVERS: [${q.observers.map((o) => o.nodeId).join(',')}]\n\n` +
    formatTable(
      ['NODE', 'ROLE', 'LOG-END-OFFSET', 'LAG', 'LAST-FETCH', 'LAST-CAUGHT-UP'],
      replicas.map((r) => [r.nodeId, r.role, r.logEndOffset, r.lag, ago(r.lastFetchTimestamp), ago(r.lastCaughtUpTimestamp)]),
    )
  );
}
