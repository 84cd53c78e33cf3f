/**
 * Long polling of Fetch (KRaft's fetch purgatory, KIP-1166's high watermark in the request):
 * the leader holds a fetch it has nothing new for, answers it the moment it appends or the
 * high watermark moves past what the fetcher knows, or empty at fetchMaxWaitTicks; fetchers
 * send the next fetch as soon as one is answered. Liveness must not suffer: an idle quorum
 * keeps its leader, and losing or replacing the leader still resolves.
 */
import { SeededRandom } from '@rill/base';
import { describe, expect, it } from 'vitest';
import { heldFetchesMax } from './limits.js';
import type { FetchRequest, FetchResponse, RaftMessage } from './messages.js';
import { ScriptedCluster, not, scriptedOptions, touching } from './testing/scripted-cluster.js';
import type { RaftOptions } from './types.js';

const maxWait = scriptedOptions.fetchMaxWaitTicks;

/** Voters 1-3 and observer 9; node 1 leads epoch 1, everyone caught up and holding a fetch. */
function idleCluster(options: Partial<RaftOptions> = {}): ScriptedCluster {
  const cluster = new ScriptedCluster([1, 2, 3], [9], options);
  cluster.tick(1, 2 * scriptedOptions.electionTimeoutTicks);
  cluster.deliver();
  cluster.tick(9);
  cluster.deliver();
  for (const id of [2, 3, 9]) {
    expect(cluster.status(id)).toMatch(/^follower e1 leader=1 .* log=\[0,1\) hw=1$/);
  }
  expect(cluster.queue).toEqual([]);
  return cluster;
}

function fetchResponses(messages: readonly RaftMessage[]): FetchResponse[] {
  return messages.filter((m): m is FetchResponse => m.kind === 'FetchResponse');
}

function fetchRequest(from: number, correlationId: number): FetchRequest {
  return {
    kind: 'FetchRequest',
    from,
    to: 1,
    correlationId,
    epoch: 1,
    fetchOffset: 1,
    lastFetchedEpoch: 1,
    highWatermark: 1,
    maxBytes: 1000,
  };
}

describe('long polling: the leader holds a fetch it has nothing new for', () => {
  it("holds an idle follower's fetch and answers it as soon as it appends", () => {
    const cluster = idleCluster();
    cluster.tick(1, maxWait - 1);
    expect(cluster.queue).toEqual([]);
    cluster.propose(1, 'a');
    const answers = fetchResponses(cluster.queue);
    expect(answers.map((m) => m.to).sort()).toEqual([2, 3, 9]);
    for (const answer of answers) {
      expect(answer.entries.map((e) => e.payload.toString())).toEqual(['a']);
    }
  });

  it('answers a held fetch empty when its max wait runs out, and the fetcher asks again at once', () => {
    const cluster = idleCluster();
    cluster.tick(1, maxWait - 1);
    expect(cluster.queue).toEqual([]);
    cluster.tick(1);
    const answers = fetchResponses(cluster.queue);
    expect(answers.map((m) => m.to).sort()).toEqual([2, 3, 9]);
    for (const answer of answers) {
      expect(answer).toMatchObject({ error: 'NONE', entries: [], highWatermark: 1 });
    }
    cluster.deliverOnce();
    expect(cluster.queue.map((m) => `${m.kind} ${m.from}`).sort()).toEqual([
      'FetchRequest 2',
      'FetchRequest 3',
      'FetchRequest 9',
    ]);
  });

  it('answers a held fetch as soon as the high watermark moves past what its sender knows', () => {
    const cluster = idleCluster();
    cluster.propose(1, 'a');
    // The observer gets "a" first; its next fetch shows it holds it but knows only hw 1.
    cluster.deliverOnce(touching(9));
    cluster.deliverOnce(touching(9));
    expect(cluster.core(9).logEndOffset).toBe(2);
    expect(cluster.queue.filter(touching(9))).toEqual([]);
    // Node 2 appends and fetches again: a majority holds "a", which commits; the observer's
    // held fetch is answered in the same step, with no tick.
    cluster.deliverOnce((m) => m.to === 2);
    cluster.deliverOnce((m) => m.from === 2);
    const toObserver = fetchResponses(cluster.queue).filter((m) => m.to === 9);
    expect(toObserver).toHaveLength(1);
    expect(toObserver[0]).toMatchObject({ entries: [], highWatermark: 2 });
    cluster.deliver();
    expect(cluster.core(9).highWatermark).toBe(2);
  });

  it('answers at once a fetch whose sender has not seen the high watermark yet', () => {
    const cluster = idleCluster();
    cluster.core(1).receive({ ...fetchRequest(9, 77), highWatermark: 0 });
    const answers = fetchResponses(cluster.core(1).drain().messages);
    expect(answers.map((m) => [m.correlationId, m.highWatermark])).toEqual([[77, 1]]);
  });

  it('answers the fetch a newer one from the same node displaces (each held fetch once)', () => {
    const cluster = idleCluster();
    const leader = cluster.core(1);
    leader.receive(fetchRequest(9, 100));
    leader.receive(fetchRequest(9, 101));
    const answered = fetchResponses(leader.drain().messages).map((m) => m.correlationId);
    expect(answered.filter((id) => id === 100)).toEqual([100]);
    expect(answered).not.toContain(101);
    for (let i = 0; i < maxWait; i++) leader.tick();
    const expired = fetchResponses(leader.drain().messages).filter((m) => m.to === 9);
    expect(expired.map((m) => m.correlationId)).toEqual([101]);
  });

  it(`holds at most ${heldFetchesMax} fetches; past that a fetch is answered at once`, () => {
    const cluster = idleCluster();
    const leader = cluster.core(1);
    const alreadyHeld = 3;
    for (let id = 100; id < 100 + heldFetchesMax - alreadyHeld; id++) {
      leader.receive(fetchRequest(id, 1));
    }
    expect(fetchResponses(leader.drain().messages)).toEqual([]);
    leader.receive(fetchRequest(100_000, 1));
    expect(fetchResponses(leader.drain().messages).map((m) => m.to)).toEqual([100_000]);
  });
});

describe('long polling keeps the quorum live', () => {
  it('an idle quorum keeps its leader, and each fetcher sends one fetch per max wait', () => {
    const cluster = idleCluster();
    const rounds = 20 * scriptedOptions.fetchTimeoutTicks;
    const linesBefore = cluster.lines.length;
    for (let round = 0; round < rounds; round++) {
      for (const id of [1, 2, 3, 9]) cluster.tick(id);
      cluster.deliver();
      expect(cluster.core(1).role).toBe('leader');
      for (const id of [2, 3, 9]) expect(cluster.core(id).role).toBe('follower');
    }
    expect(cluster.core(1).epoch).toBe(1);
    const sent = cluster.lines.slice(linesBefore).filter((line) => / send FetchRequest /.test(line));
    expect(sent.length / 3).toBeGreaterThanOrEqual(rounds / maxWait - 1);
    expect(sent.length / 3).toBeLessThanOrEqual(rounds / maxWait + 1);
  });

  it('a resigning leader answers the fetches it held; its successor still campaigns at once', () => {
    const cluster = idleCluster();
    expect(cluster.core(1).resign()).toBe(true);
    cluster.tick(1); // hands the resignation's effects to the network
    const released = fetchResponses(cluster.queue);
    expect(released.map((m) => m.to).sort()).toEqual([2, 3, 9]);
    for (const answer of released) {
      expect(answer).toMatchObject({ error: 'NOT_LEADER_OR_FOLLOWER', leaderId: null });
    }
    // The fetch answers overtake EndQuorumEpoch: the followers already know the leader left
    // and wait out an election timer, which EndQuorumEpoch must still cut short (KIP-595).
    cluster.deliverOnce((m) => m.kind === 'FetchResponse');
    expect(cluster.core(2).role).toBe('unattached');
    cluster.deliverOnce((m) => m.kind === 'EndQuorumEpochRequest');
    cluster.tick(2);
    cluster.tick(3);
    cluster.deliver();
    const leaders = [1, 2, 3].filter((id) => cluster.core(id).role === 'leader');
    expect(leaders).toHaveLength(1);
    expect(cluster.core(leaders[0]!).epoch).toBe(2);
  });

  it.each(Array.from({ length: 20 }, (_, i) => i + 1))(
    'the survivors of a dead leader elect a new one, and its observer finds it (seed %i)',
    (seed) => {
      // Random timers, and an observer that asks a random voter who leads now.
      const cluster = idleCluster({ random: new SeededRandom(seed) });
      cluster.crash(1);
      const leader = runUntil(cluster, [2, 3, 9], 200, () => [2, 3].find((id) => cluster.core(id).role === 'leader'));
      cluster.propose(leader, 'after');
      // It may ask the dead voter first, and such a fetch waits out the request timeout.
      const end = cluster.core(leader).logEndOffset;
      runUntil(cluster, [2, 3, 9], 100, () => (cluster.core(9).highWatermark === end ? true : undefined));
    },
  );

  it("does not slow down failover: 200 seeds with Kafka's timings in 25 ms ticks, held up to 500 ms or answered at once", () => {
    const kafkaTimings = {
      electionTimeoutTicks: 40,
      fetchTimeoutTicks: 80,
      requestTimeoutTicks: 80,
      electionBackoffMaxTicks: 40,
    };
    const held = failoverTicks({ ...kafkaTimings, fetchMaxWaitTicks: 20 });
    const answeredAtOnce = failoverTicks({ ...kafkaTimings, fetchMaxWaitTicks: 1 });
    // A held fetch dates a follower's last news of its leader up to one max wait earlier,
    // so it may give up on a dead leader sooner, never later.
    for (const quantile of [0.5, 0.9, 0.99]) {
      expect(percentile(held, quantile)).toBeLessThanOrEqual(percentile(answeredAtOnce, quantile));
    }
  });
});

/** Tick `ids` in step and deliver among them (node 1 is dead) until `done` yields a value. */
function runUntil<T>(cluster: ScriptedCluster, ids: readonly number[], roundsMax: number, done: () => T | undefined): T {
  for (let round = 0; round < roundsMax; round++) {
    const result = done();
    if (result !== undefined) return result;
    for (const id of ids) cluster.tick(id);
    cluster.deliver(not(touching(1)));
    cluster.drop(touching(1));
  }
  const result = done();
  expect(result, `not done within ${roundsMax} rounds`).toBeDefined();
  return result!;
}

/** Ticks from the death of an idle leader to a new one, for seeds 1..200. */
function failoverTicks(options: Partial<RaftOptions>): number[] {
  const ticks: number[] = [];
  for (let seed = 1; seed <= 200; seed++) {
    const random = new SeededRandom(seed);
    const cluster = new ScriptedCluster([1, 2, 3], [], { ...options, random });
    const leaderAmong = (ids: readonly number[]) => ids.find((id) => cluster.core(id).role === 'leader');
    const tickAll = (ids: readonly number[]) => {
      for (const id of ids) cluster.tick(id);
      cluster.deliver();
    };
    for (let t = 0; t < 400 && leaderAmong([1, 2, 3]) === undefined; t++) tickAll([1, 2, 3]);
    // Idle for a while, so the leader dies at any point of a held fetch's wait.
    for (let t = random.between(0, 200); t > 0; t--) tickAll([1, 2, 3]);
    const dead = leaderAmong([1, 2, 3])!;
    cluster.crash(dead);
    const survivors = [1, 2, 3].filter((id) => id !== dead);
    let t = 0;
    for (; t < 2000 && leaderAmong(survivors) === undefined; t++) {
      for (const id of survivors) cluster.tick(id);
      cluster.deliver(not(touching(dead)));
      cluster.drop(touching(dead));
    }
    ticks.push(t);
  }
  return ticks.sort((a, b) => a - b);
}

function percentile(sorted: readonly number[], quantile: number): number {
  return sorted[Math.floor(quantile * (sorted.length - 1))]!;
}
