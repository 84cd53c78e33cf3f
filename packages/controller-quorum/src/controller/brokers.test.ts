import { SeededRandom } from '@rill/base';
import { ErrorCode } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import type { MetadataImage, PartitionRegistration } from '../metadata/image.js';
import {
  clusterOf,
  partitionRecord,
  registerBroker,
  replayed,
  topicIdFor,
} from '../metadata/testing/fixtures.js';
import {
  fenceBroker,
  registerBroker as register,
  unfenceBroker,
  unregisterBroker,
} from './brokers.js';
import type { ControllerResult } from './result.js';

const topicId = topicIdFor(1);
const clean = { uncleanLeaderElectionEnable: false };

/** Brokers 1-3 and topic t: p0 [1,2,3], p1 [2,3,1], p2 [3,1,2]. */
function withTopic(): MetadataImage {
  return replayed(clusterOf(3), [
    { type: 'topic', name: 't', topicId },
    partitionRecord(topicId, 0, [1, 2, 3]),
    partitionRecord(topicId, 1, [2, 3, 1]),
    partitionRecord(topicId, 2, [3, 1, 2]),
  ]);
}

function after(image: MetadataImage, result: ControllerResult<unknown>): MetadataImage {
  return replayed(image, result.records);
}

function partition(image: MetadataImage, index: number): PartitionRegistration {
  return image.topics.byId.get(topicId)!.partitions.get(index)!;
}

describe('fenceBroker', () => {
  it('moves leadership to the next ISR member and drops the broker from ISRs', () => {
    const image = after(withTopic(), fenceBroker(withTopic(), 1, clean));
    expect(image.cluster.brokers.get(1)?.fenced).toBe(true);
    expect(partition(image, 0)).toMatchObject({
      leader: 2,
      isr: [2, 3],
      leaderEpoch: 1,
      partitionEpoch: 1,
    });
    expect(partition(image, 1)).toMatchObject({
      leader: 2,
      isr: [2, 3],
      leaderEpoch: 0,
      partitionEpoch: 1,
    });
  });

  it('never empties an ISR: the last member stays and the partition goes offline', () => {
    let image = withTopic();
    for (const nodeId of [1, 2, 3]) image = after(image, fenceBroker(image, nodeId, clean));
    for (const index of [0, 1, 2]) {
      expect(partition(image, index).leader).toBe(-1);
      expect(partition(image, index).isr).toHaveLength(1);
    }
  });

  it('elects outside the ISR only with unclean leader election', () => {
    let image = replayed(withTopic(), [
      { type: 'partitionChange', topicId, partition: 0, leader: null, isr: [1], replicas: null },
    ]);
    const offline = after(image, fenceBroker(image, 1, clean));
    expect(partition(offline, 0)).toMatchObject({ leader: -1, isr: [1] });
    const unclean = after(image, fenceBroker(image, 1, { uncleanLeaderElectionEnable: true }));
    expect(partition(unclean, 0)).toMatchObject({ leader: 2, isr: [2] });
    image = replayed(image, [
      {
        type: 'config',
        resourceType: 'topic',
        resourceName: 't',
        key: 'unclean.leader.election.enable',
        value: 'true',
      },
    ]);
    expect(partition(after(image, fenceBroker(image, 1, clean)), 0)).toMatchObject({
      leader: 2,
      isr: [2],
    });
  });

  it('does nothing for a broker already fenced, and refuses an unknown one', () => {
    const fenced = after(withTopic(), fenceBroker(withTopic(), 1, clean));
    expect(fenceBroker(fenced, 1, clean).records).toEqual([]);
    expect(fenceBroker(fenced, 9, clean).response.errorCode).toBe(
      ErrorCode.BROKER_ID_NOT_REGISTERED,
    );
  });
});

describe('unfenceBroker', () => {
  it('brings an offline partition back with its last ISR member as leader', () => {
    let image = withTopic();
    for (const nodeId of [1, 2, 3]) image = after(image, fenceBroker(image, nodeId, clean));
    const lastIsr = partition(image, 0).isr[0];
    image = after(image, unfenceBroker(image, lastIsr, clean));
    expect(partition(image, 0).leader).toBe(lastIsr);
    const other = [1, 2, 3].find((id) => id !== lastIsr)!;
    const stillOffline = after(image, unfenceBroker(image, other, clean));
    const offline = [0, 1, 2].filter((index) => partition(stillOffline, index).leader === -1);
    for (const index of offline) expect(partition(stillOffline, index).isr).not.toContain(other);
  });
});

describe('registerBroker', () => {
  const request = (incarnation: number) => {
    const { type: _type, fenced: _fenced, ...fields } = registerBroker(4);
    return { ...fields, incarnationId: topicIdFor(incarnation) };
  };

  it('registers fenced, ignores a retry, and fences a restarted incarnation', () => {
    let image = withTopic();
    image = after(image, register(image, request(50), clean));
    expect(image.cluster.brokers.get(4)?.fenced).toBe(true);
    expect(register(image, request(50), clean).records).toEqual([]);
    const restarted = register(withTopic(), { ...request(51), nodeId: 1 }, clean);
    expect(restarted.records[0]).toMatchObject({ type: 'registerBroker', nodeId: 1, fenced: true });
    expect(partition(after(withTopic(), restarted), 0).leader).toBe(2);
  });

  it('refuses malformed registrations', () => {
    const image = withTopic();
    expect(register(image, { ...request(50), endpoints: [] }, clean).response.errorCode).toBe(
      ErrorCode.INVALID_REQUEST,
    );
    expect(
      register(image, { ...request(50), incarnationId: 'nope' }, clean).response.errorCode,
    ).toBe(ErrorCode.INVALID_REQUEST);
    expect(register(image, { ...request(50), nodeId: -1 }, clean).response.errorCode).toBe(
      ErrorCode.INVALID_REQUEST,
    );
  });

  it('unregisters a broker after moving its leadership away', () => {
    const image = after(withTopic(), unregisterBroker(withTopic(), 1, clean));
    expect(image.cluster.brokers.has(1)).toBe(false);
    expect(partition(image, 0).leader).toBe(2);
  });
});

describe('fencing under random churn (reliability plan I10)', () => {
  it('elects only ISR members, never empties an ISR, and only grows epochs', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const random = new SeededRandom(seed);
      let image = withTopic();
      for (let step = 0; step < 60; step++) {
        const nodeId = random.between(1, 3);
        const operation = random.next() < 0.5 ? fenceBroker : unfenceBroker;
        const next = after(image, operation(image, nodeId, clean));
        for (const index of [0, 1, 2])
          checkTransition(partition(image, index), partition(next, index), `seed ${seed}`);
        image = next;
      }
    }
  });
});

function checkTransition(
  before: PartitionRegistration,
  now: PartitionRegistration,
  where: string,
): void {
  expect(now.leaderEpoch, where).toBeGreaterThanOrEqual(before.leaderEpoch);
  expect(now.partitionEpoch, where).toBeGreaterThanOrEqual(before.partitionEpoch);
  expect(now.isr.length, where).toBeGreaterThan(0);
  if (now.leader !== before.leader && now.leader !== -1) {
    expect(before.isr, `${where}: leader ${now.leader} came from outside the ISR`).toContain(
      now.leader,
    );
    expect(now.leaderEpoch, where).toBeGreaterThan(before.leaderEpoch);
  }
}
