/**
 * Rebalance scenarios with golden transcripts: each step's trace lines, replies and appends
 * are compared with a file in __transcripts__ (`npx vitest run -u` rewrites them after a
 * deliberate change; read the diff). Behaviour is Kafka's classic group protocol
 * (KIP-394 member ids, the initial rebalance delay, eager rebalances).
 */
import { ErrorCode } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import { CoreHarness, protocols } from './testing/core-harness.js';

const g = 'orders-app';

class Script {
  readonly h = new CoreHarness();
  readonly #lines: string[] = [];
  #seen = 0;

  note(text: string): void {
    this.#collect();
    this.#lines.push('', `# ${text}`);
  }

  do(label: string, run: (h: CoreHarness) => void): void {
    this.#collect();
    this.#lines.push(`> ${label}`);
    run(this.h);
    this.#collect();
  }

  transcript(): string {
    this.#collect();
    return `${this.#lines.join('\n').trim()}\n`;
  }

  #collect(): void {
    for (const line of this.h.trace.slice(this.#seen)) this.#lines.push(`  ${line}`);
    this.#seen = this.h.trace.length;
  }
}

describe('group coordinator scenarios', () => {
  it('KIP-394: three members get ids, share a generation; a fourth joins and one leaves', async () => {
    const s = new Script();
    const ids: string[] = [];
    const joins: number[] = [];
    s.note('three consumers (JoinGroup v4) ask for member ids, then join with them');
    for (const client of ['a', 'b', 'c']) {
      s.do(`join ${client} without an id`, (h) => {
        ids.push(h.joinResult(h.join(g, '', { clientId: client, requireKnownMemberId: true }))!.memberId);
      });
    }
    for (const id of ids) s.do(`join ${id}`, (h) => joins.push(h.join(g, id, { requireKnownMemberId: true })));
    s.note('the initial delay runs out (extended once per member that arrived during it)');
    s.do('wait', (h) => h.untilAnswered(joins));
    s.do('everyone syncs; the leader assigns', (h) => h.completeRebalance(g, joins));
    s.note('a fourth member joins: the others learn of the rebalance from their heartbeats');
    let fourth = 0;
    s.do('join d (v3, no id round trip)', (h) => (fourth = h.join(g, '', { clientId: 'd' })));
    s.do('heartbeat of the first member', (h) => h.heartbeat(g, ids[0]!, 1));
    const rejoins: number[] = [];
    s.do('the three rejoin', (h) => ids.forEach((id) => rejoins.push(h.join(g, id))));
    s.do('everyone syncs', (h) => h.completeRebalance(g, [...rejoins, fourth]));
    s.note('the second member leaves; the others rejoin without it');
    s.do(`leave ${ids[1]}`, (h) => h.leave(g, ids[1]!));
    const last: number[] = [];
    s.do('the rest rejoin', (h) => {
      for (const id of [ids[0]!, ids[2]!, h.joinResult(fourth)!.memberId]) last.push(h.join(g, id));
    });
    s.do('everyone syncs', (h) => h.completeRebalance(g, last));
    await expect(s.transcript()).toMatchFileSnapshot('./__transcripts__/join-grow-shrink.txt');
    expect(s.h.state(g)).toBe('Stable');
    expect(s.h.core.rebalancesCompleted).toBe(3);
  });

  it('the leader dies before syncing: its session expires, the waiting follower is told to rejoin and leads', async () => {
    const s = new Script();
    const joins: number[] = [];
    s.do('two members join', (h) => {
      joins.push(h.join(g, '', { clientId: 'a', protocols: protocols('range', 'roundrobin') }));
      joins.push(h.join(g, '', { clientId: 'b', protocols: protocols('roundrobin', 'range') }));
    });
    s.do('wait', (h) => h.untilAnswered(joins));
    const [leader, follower] = joins.map((id) => s.h.joinResult(id)!.memberId);
    let parked = 0;
    s.do('the follower syncs and waits for the leader', (h) => (parked = h.sync(g, follower!, 1)));
    s.note('the leader never syncs nor heartbeats: its session times out');
    s.do('wait the session timeout', (h) => h.advance(10_000));
    expect(s.h.syncResult(parked)?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    let rejoin = 0;
    s.do('the follower rejoins alone', (h) => (rejoin = h.join(g, follower!, { protocols: protocols('roundrobin', 'range') })));
    expect(s.h.joinResult(rejoin)).toMatchObject({ generationId: 2, leaderId: follower });
    expect(leader).not.toBe(follower);
    await expect(s.transcript()).toMatchFileSnapshot('./__transcripts__/leader-gone-before-sync.txt');
  });
});
