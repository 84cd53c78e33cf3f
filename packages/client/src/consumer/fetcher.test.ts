import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { Fetcher } from './fetcher.js';
import { resolveConsumerOptions } from './options.js';
import { SubscriptionState } from './subscription-state.js';

/**
 * A fetcher whose only leader failed backs off, and must fetch again once the backoff is
 * over, even when its timer fires a little before performance.now() reaches the backoff's
 * end (Node's timers run on the loop's cached clock). Found by the chaos suite: a group
 * member whose partitions all had one leader, killed, read nothing for two minutes.
 */
describe('Fetcher backoff', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('fetches again after backing off from its only leader, however the timer falls', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const realNow = performance.now.bind(performance);
    let lead = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => realNow() + lead);
    const attempts: number[] = [];
    const cluster = {
      options: { retry: { retries: 5, initialBackoffMs: 100, maxBackoffMs: 1000 }, requestTimeoutMs: 1000 },
      logger: silentLogger,
      leaderFor: () => 3,
      refreshMetadata: () => Promise.resolve(),
      nodeConnection: (leader: number) => {
        attempts.push(leader);
        // The failure is noticed late in a loop iteration: performance.now() runs 20 ms
        // ahead of the clock the backoff timer is set on.
        if (attempts.length === 1) lead = 20;
        return Promise.reject(new ConnectionError('b:3', 'connection refused'));
      },
    };
    const subscriptions = new SubscriptionState();
    subscriptions.assign([{ topic: 't', partition: 0 }], 'earliest');
    const state = subscriptions.get('t', 0)!;
    state.pending = null;
    state.fetchOffset = 0;
    const fetcher = new Fetcher({
      cluster: cluster as never,
      subscriptions,
      options: resolveConsumerOptions({ brokers: ['b:1'] }),
      onProgress: () => undefined,
      onError: () => undefined,
    });
    fetcher.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toHaveLength(1);
    lead = 0;
    await vi.advanceTimersByTimeAsync(2000);
    expect(attempts.length).toBeGreaterThan(1);
    fetcher.stop();
  });
});
