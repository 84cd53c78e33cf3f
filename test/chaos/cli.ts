import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { NetworkMode } from '@rill/testkit';
import { check } from './checker.js';
import { History } from './history.js';
import { runChaos } from './run.js';
import { formatSummary } from './summary.js';

/**
 * `pnpm chaos`: a chaos run of any length outside the test suite, or the check of a kept
 * run replayed from its history.
 *
 *   pnpm chaos --cycles 500 --seed 7          a long run (a random seed unless given)
 *   pnpm chaos --faults kill-leader,flap      only these fault kinds
 *   pnpm chaos --network proxy                partitions through proxies even as root
 *   pnpm chaos --keep --out ./runs            keep the run directory even when it passes
 *   pnpm chaos --check <run directory>        re-check a kept history
 *
 * Exits 0 when the checker finds nothing, 1 when it finds anomalies, 2 on a usage error.
 */
const usage = 'usage: pnpm chaos [--cycles N] [--seed S] [--faults a,b] [--network netns|proxy] [--out DIR] [--keep] | --check DIR';

export async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        cycles: { type: 'string' },
        seed: { type: 'string' },
        faults: { type: 'string' },
        network: { type: 'string' },
        out: { type: 'string' },
        keep: { type: 'boolean' },
        check: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  if (args.check !== undefined) return recheck(args.check);
  const cycles = Number(args.cycles ?? 100);
  const seed = Number(args.seed ?? Math.floor(Math.random() * 2 ** 31));
  const network = args.network as NetworkMode | undefined;
  if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(seed) || (network !== undefined && network !== 'netns' && network !== 'proxy')) {
    console.error(usage);
    return 2;
  }
  const started = Date.now();
  console.log(`chaos: ${cycles} cycles, seed ${seed}`);
  const result = await runChaos({
    cycles,
    seed,
    ...(network ? { network } : {}),
    ...(args.faults ? { faults: args.faults.split(',') } : {}),
    ...(args.out ? { outDir: args.out } : {}),
    keep: args.keep === true,
    log: (line) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(7)}s ${line}`),
  });
  console.log(`\n${result.summary}`);
  if (!result.verdict.ok) console.log(`\nreplay the schedule: pnpm chaos --seed ${seed} --cycles ${cycles}${args.faults ? ` --faults ${args.faults}` : ''}`);
  return result.verdict.ok ? 0 : 1;
}

function recheck(dir: string): number {
  const path = join(dir, 'history.jsonl');
  if (!existsSync(path)) {
    console.error(`no history.jsonl in ${dir}`);
    return 2;
  }
  const ops = History.load(path);
  const meta = ops.find((op) => op.type === 'meta');
  const cycles = ops.filter((op) => op.type === 'fault').length;
  const first = ops[0]?.t ?? 0;
  const last = ops.at(-1)?.t ?? 0;
  const verdict = check(ops);
  console.log(formatSummary({ seed: meta?.type === 'meta' ? meta.seed : -1, cycles, network: meta?.type === 'meta' ? meta.network : '?', wallMs: last - first, ops, verdict, runDir: null }));
  return verdict.ok ? 0 : 1;
}
