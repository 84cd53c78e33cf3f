import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecordBatch, setBaseOffset, setPartitionLeaderEpoch } from '@rill/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { History } from './support/history.js';
import { compareReplicas, type Replica } from './support/replica-logs.js';
import { metricValue, type PartitionRead } from './support/wire.js';

/** The replication tests' checkers, on hand-made histories and logs: each must catch its anomaly. */

function read(values: string[], highWatermark = values.length): PartitionRead {
  return { highWatermark, records: values.map((value, offset) => ({ offset, value })) };
}

describe('History', () => {
  it('passes a clean history', () => {
    const history = new History();
    history.attempt(['a', 'b', 'c']);
    history.ack(0, 0, ['a', 'b']);
    history.see(0, 2, 'c');
    expect(history.check(new Map([[0, read(['a', 'b', 'c'])]]))).toEqual([]);
  });

  it('reports a lost acknowledged write (I1) and a hole (I2)', () => {
    const history = new History();
    history.attempt(['a', 'b', 'c']);
    history.ack(0, 0, ['a', 'b', 'c']);
    const lost = history.check(new Map([[0, read(['a', 'b'])]]));
    expect(lost.join('\n')).toMatch(/acknowledged c, read nothing \(I1\)/);
    const holey: PartitionRead = { highWatermark: 3, records: [{ offset: 0, value: 'a' }, { offset: 2, value: 'c' }] };
    expect(history.check(new Map([[0, holey]])).join('\n')).toMatch(/I2/);
  });

  it('reports two values at one offset (I3) and a seen value that moved (I6)', () => {
    const history = new History();
    history.attempt(['a', 'b', 'x']);
    history.ack(0, 0, ['a']);
    history.ack(0, 0, ['x']);
    history.see(0, 1, 'b');
    const problems = history.check(new Map([[0, read(['a', 'x', 'b'])]]));
    expect(problems.join('\n')).toMatch(/I3/);
    expect(problems.join('\n')).toMatch(/a consumer saw b/);
  });

  it('reports a refused write that is in the log, and a value nobody wrote', () => {
    const history = new History();
    history.attempt(['a', 'refused']);
    history.definitelyFailed(['refused']);
    const problems = history.check(new Map([[0, read(['a', 'refused', 'stranger'])]]));
    expect(problems.join('\n')).toMatch(/refused was refused/);
    expect(problems.join('\n')).toMatch(/"stranger" was never written/);
  });
});

describe('compareReplicas', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function batch(baseOffset: number, values: string[], epoch = 0): Buffer {
    const bytes = encodeRecordBatch({ records: values.map((v) => ({ value: Buffer.from(v), timestamp: 1_700_000_000_000 })) });
    setBaseOffset(bytes, 0, baseOffset);
    setPartitionLeaderEpoch(bytes, 0, epoch);
    return bytes;
  }

  function replica(nodeId: number, segments: Buffer[][]): Replica {
    const dataDir = mkdtempSync(join(tmpdir(), 'rill-checkers-'));
    dirs.push(dataDir);
    mkdirSync(join(dataDir, 't-0'));
    let base = 0;
    for (const batches of segments) {
      writeFileSync(join(dataDir, 't-0', `${String(base).padStart(20, '0')}.log`), Buffer.concat(batches));
      base += batches.length * 2;
    }
    return { nodeId, dataDir };
  }

  const ab = batch(0, ['a', 'b']);
  const cd = batch(2, ['c', 'd']);
  const ef = batch(4, ['e', 'f']);

  it('accepts identical replicas, whatever they hold above the high watermark or how segments split', () => {
    const one = replica(1, [[ab, cd, ef]]);
    const two = replica(2, [[ab], [cd]]);
    expect(compareReplicas([one, two], 't', 0, 4)).toEqual([]);
  });

  it('reports different bytes below the high watermark', () => {
    const one = replica(1, [[ab, cd]]);
    const two = replica(2, [[ab, batch(2, ['c', 'D'])]]);
    expect(compareReplicas([one, two], 't', 0, 4).join('\n')).toMatch(/node 2 differs from node 1 at batch 1/);
    const otherEpoch = replica(3, [[ab, batch(2, ['c', 'd'], 7)]]);
    expect(compareReplicas([one, otherEpoch], 't', 0, 4).join('\n')).toMatch(/node 3 differs/);
  });

  it('reports a replica short of the high watermark, and a torn tail', () => {
    const one = replica(1, [[ab, cd]]);
    const short = replica(2, [[ab]]);
    expect(compareReplicas([one, short], 't', 0, 4).join('\n')).toMatch(/node 2 .* end at 2/);
    const torn = replica(3, [[ab, cd, ef.subarray(0, 30)]]);
    expect(compareReplicas([one, torn], 't', 0, 4).join('\n')).toMatch(/node 3 .*truncated/);
  });
});

describe('metricValue', () => {
  const text = [
    '# HELP rill_isr_shrinks_total x',
    'rill_isr_shrinks_total 3',
    'rill_partition_high_watermark{topic="t",partition="0"} 42',
    'rill_partition_high_watermark{topic="t",partition="1"} 7',
  ].join('\n');

  it('finds a metric by name and exact labels', () => {
    expect(metricValue(text, 'rill_isr_shrinks_total')).toBe(3);
    expect(metricValue(text, 'rill_partition_high_watermark', { partition: '1', topic: 't' })).toBe(7);
    expect(metricValue(text, 'rill_partition_high_watermark')).toBeNull();
    expect(metricValue(text, 'rill_isr_expands_total')).toBeNull();
  });
});
