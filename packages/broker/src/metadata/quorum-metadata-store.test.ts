import { CommittedMetadata, type RaftCore } from '@rill/controller-quorum';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ControllerApi } from '../quorum/controller-rpc.js';
import { QuorumMetadataStore } from './quorum-metadata-store.js';

/**
 * A controller that stops answering (SIGSTOP, or a partition that leaves its connections
 * open) must cost a broker's heartbeat no more than the heartbeat's own timeout. Found by
 * the chaos suite: heartbeats in flight to an isolated controller waited out the 30 s gRPC
 * deadline, so the new controller fenced every healthy broker and the partitions went offline.
 */
describe('QuorumMetadataStore calls to a controller that never answers', () => {
  const logger = pino({ level: 'silent' });
  const silent = new Promise<never>(() => undefined);
  const hung = new Proxy({}, { get: () => () => silent }) as ControllerApi;

  function store(): QuorumMetadataStore {
    return new QuorumMetadataStore({
      nodeId: 1,
      clusterId: 'test',
      committed: new CommittedMetadata({ snapshotEveryBytes: 1 << 20, takeSnapshot: () => undefined, logger }),
      core: () => ({ leaderId: 1 }) as RaftCore,
      localController: hung,
      voters: new Map(),
      logger,
    });
  }

  it('gives up on a heartbeat at its timeout', async () => {
    const started = performance.now();
    expect(await store().brokerHeartbeat({ brokerId: 1, incarnationId: 'i' }, 300)).toBeNull();
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('asks again, and the controller that answers now is heard', async () => {
    let answering = false;
    const flaky = new Proxy({}, {
      get: () => () => (answering ? Promise.resolve({ value: { errorCode: 0, isFenced: false }, committedOffset: -1 }) : silent),
    }) as ControllerApi;
    const metadata = new QuorumMetadataStore({
      nodeId: 1,
      clusterId: 'test',
      committed: new CommittedMetadata({ snapshotEveryBytes: 1 << 20, takeSnapshot: () => undefined, logger }),
      core: () => ({ leaderId: 1 }) as RaftCore,
      localController: flaky,
      voters: new Map(),
      logger,
    });
    expect(await metadata.brokerHeartbeat({ brokerId: 1, incarnationId: 'i' }, 200)).toBeNull();
    answering = true;
    expect(await metadata.brokerHeartbeat({ brokerId: 1, incarnationId: 'i' }, 200)).toEqual({ errorCode: 0, isFenced: false });
  });
});
