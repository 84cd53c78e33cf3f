import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scanBatches } from '@rill/protocol';
import type { ServerProcess } from '@rill/testkit';

/**
 * Reads a stopped node's copy of a partition straight from its segment files
 * (`<log.dirs>/<topic>-<partition>/<20-digit base offset>.log`, RecordBatch v2 back to back),
 * without opening it through the storage package, which would recover and so change it.
 */

/** Where a replica keeps its data: a ServerProcess, or a directory made by a unit test. */
export type Replica = Pick<ServerProcess, 'nodeId' | 'dataDir'>;

export interface DiskBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly bytes: Buffer;
  readonly file: string;
  readonly position: number;
}

export interface ReplicaLog {
  readonly batches: readonly DiskBatch[];
  /** Anything that is not a whole, CRC-valid batch: a torn or damaged tail, left uncut. */
  readonly problems: readonly string[];
}

export function partitionDir(node: Replica, topic: string, partition: number): string {
  return join(node.dataDir, `${topic}-${partition}`);
}

/** Segment files of a partition replica, lowest base offset first. */
export function segmentFiles(node: Replica, topic: string, partition: number): string[] {
  const dir = partitionDir(node, topic, partition);
  return readdirSync(dir)
    .filter((name) => /^\d{20}\.log$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

export function readReplicaLog(node: Replica, topic: string, partition: number): ReplicaLog {
  const batches: DiskBatch[] = [];
  const problems: string[] = [];
  for (const file of segmentFiles(node, topic, partition)) {
    const bytes = readFileSync(file);
    const scan = scanBatches(bytes);
    let step = scan.next();
    while (step.done !== true) {
      const { pos, size, header } = step.value;
      batches.push({
        baseOffset: header.baseOffset,
        lastOffset: header.baseOffset + header.lastOffsetDelta,
        bytes: bytes.subarray(pos, pos + size),
        file,
        position: pos,
      });
      step = scan.next();
    }
    if (step.value.stop !== 'end') {
      problems.push(`${file}: ${step.value.stop} at byte ${step.value.validBytes} of ${bytes.length}`);
    }
  }
  return { batches, problems };
}

/**
 * I4: the batches covering [0, highWatermark) on every replica, byte for byte the same, with
 * dense offsets and whole, CRC-valid batches. Returns what differs, empty when all agree.
 */
export function compareReplicas(nodes: readonly Replica[], topic: string, partition: number, highWatermark: number): string[] {
  const problems: string[] = [];
  const below = new Map<number, DiskBatch[]>();
  for (const node of nodes) {
    const log = readReplicaLog(node, topic, partition);
    for (const problem of log.problems) problems.push(`node ${node.nodeId} ${topic}-${partition}: ${problem}`);
    const batches = log.batches.filter((b) => b.baseOffset < highWatermark);
    let next = 0;
    for (const batch of batches) {
      if (batch.baseOffset !== next) {
        problems.push(`node ${node.nodeId} ${topic}-${partition}: batch at ${batch.baseOffset}, expected ${next}`);
        break;
      }
      next = batch.lastOffset + 1;
    }
    if (next !== highWatermark) {
      problems.push(`node ${node.nodeId} ${topic}-${partition}: batches below the high watermark ${highWatermark} end at ${next}`);
    }
    below.set(node.nodeId, batches);
  }
  const [reference, ...others] = nodes;
  const expected = below.get(reference!.nodeId)!;
  for (const node of others) {
    const actual = below.get(node.nodeId)!;
    const count = Math.max(expected.length, actual.length);
    for (let i = 0; i < count; i++) {
      const a = expected[i];
      const b = actual[i];
      if (a !== undefined && b !== undefined && a.bytes.equals(b.bytes)) continue;
      problems.push(
        `${topic}-${partition}: node ${node.nodeId} differs from node ${reference!.nodeId} at batch ${i} ` +
          `(offsets ${describe(b)} vs ${describe(a)})`,
      );
      break;
    }
  }
  return problems;
}

function describe(batch: DiskBatch | undefined): string {
  return batch === undefined ? 'missing' : `${batch.baseOffset}..${batch.lastOffset}, ${batch.bytes.length} bytes`;
}

/** Stops nodes with SIGTERM (a clean stop), falling back to SIGKILL after `graceMs`. */
export async function stopNodes(nodes: readonly ServerProcess[], graceMs = 15_000): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      if (!node.running) return;
      await node.signal('SIGCONT');
      const stopped = node.signal('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), graceMs);
      });
      const outcome = await Promise.race([stopped, late]);
      clearTimeout(timer);
      if (outcome === 'late' && node.running) {
        console.warn(`node ${node.nodeId} did not stop within ${graceMs} ms of SIGTERM; killing it`);
        await node.kill();
      }
    }),
  );
}

/** The last lines each node printed (warnings and errors), for a failed test's report. */
export function printNodeOutput(nodes: readonly ServerProcess[], lines = 40): void {
  for (const node of nodes) {
    const tail = node.output.trimEnd().split('\n').slice(-lines).join('\n');
    console.log(`--- node ${node.nodeId} (last ${lines} lines) ---\n${tail}`);
  }
}
