import { ErrorCode } from '@rill/protocol';
import { describe, expect, it } from 'vitest';
import type { PartitionLeaderOptions } from './partition-leader.js';
import { PartitionLeader } from './partition-leader.js';

const base: PartitionLeaderOptions = {
  localId: 1,
  replicas: [1, 2, 3],
  isr: [1, 2, 3],
  leaderEpoch: 5,
  partitionEpoch: 10,
  minInsyncReplicas: 2,
  replicaLagTimeMaxMs: 1000,
  logEndOffset: 10,
  highWatermark: 7,
  nowMs: 0,
  retryBackoffMs: 100,
};

function leader(options: Partial<PartitionLeaderOptions> = {}): PartitionLeader {
  return new PartitionLeader({ ...base, ...options });
}

const accepted = (isr: number[], partitionEpoch: number, leaderEpoch = 5) => ({
  errorCode: ErrorCode.NONE,
  leaderEpoch,
  partitionEpoch,
  isr,
});
const refused = (errorCode: number) => ({ errorCode, leaderEpoch: 5, partitionEpoch: 10, isr: [1, 2, 3] });

describe('PartitionLeader high watermark', () => {
  it('starts at the given HW; followers that have not fetched in this epoch hold it', () => {
    const l = leader();
    expect(l.highWatermark).toBe(7);
    expect(l.leaderEpochStartOffset).toBe(10);
    expect(l.followerLogEndOffset(2)).toBe(-1);
    expect(l.followerLogEndOffset(1)).toBe(10);
    expect(l.followerFetched(2, 10, 1)).toBe(false);
    expect(l.highWatermark).toBe(7);
    expect(l.followerFetched(3, 9, 1)).toBe(true);
    expect(l.highWatermark).toBe(9);
  });

  it('is the minimum log end offset over the ISR, the leader included, and never decreases', () => {
    const l = leader();
    l.followerFetched(2, 10, 1);
    l.followerFetched(3, 10, 1);
    expect(l.highWatermark).toBe(10);
    expect(l.localAppended(15)).toBe(false);
    expect(l.followerFetched(2, 15, 2)).toBe(false);
    expect(l.followerFetched(3, 12, 2)).toBe(true);
    expect(l.highWatermark).toBe(12);
    // A follower reporting less (it restarted with a shorter log) never pulls the HW back.
    expect(l.followerFetched(3, 8, 3)).toBe(false);
    expect(l.highWatermark).toBe(12);
    expect(l.followerLogEndOffset(3)).toBe(8);
  });

  it('ignores fetches from unknown replicas, from itself, and beyond its log end', () => {
    const l = leader({ isr: [1, 2], replicas: [1, 2] });
    expect(l.followerFetched(9, 10, 1)).toBe(false);
    expect(l.followerFetched(1, 10, 1)).toBe(false);
    expect(l.followerFetched(2, 11, 1)).toBe(false);
    expect(l.followerFetched(2, -1, 1)).toBe(false);
    expect(l.followerFetched(2, 2.5, 1)).toBe(false);
    expect(l.followerFetched(2, 10, 1, { leaderEpoch: 4 })).toBe(false);
    expect(l.followerFetched(2, 10, 1, { leaderEpoch: 6 })).toBe(false);
    expect(l.followerLogEndOffset(2)).toBe(-1);
    expect(l.followerLogEndOffset(9)).toBe(-1);
    expect(l.followerFetched(2, 10, 1, { leaderEpoch: 5 })).toBe(true);
  });

  it('a lone leader with min.insync.replicas=1 advances on its own appends', () => {
    const l = leader({ isr: [1], minInsyncReplicas: 1 });
    expect(l.highWatermark).toBe(10);
    expect(l.localAppended(12)).toBe(true);
    expect(l.highWatermark).toBe(12);
  });

  it('is frozen while the committed ISR is below min.insync.replicas (KIP-966 strict)', () => {
    const l = leader({ isr: [1], minInsyncReplicas: 2 });
    expect(l.highWatermarkFrozen).toBe(true);
    expect(l.localAppended(20)).toBe(false);
    expect(l.highWatermark).toBe(7);
    l.followerFetched(2, 20, 1);
    // The expand is in flight: the maximal ISR grows, but the committed ISR is what unfreezes.
    expect(l.proposeIsrChange(1)).toMatchObject({ leaderEpoch: 5, partitionEpoch: 10, newIsr: [1, 2] });
    expect(l.maximalIsr).toEqual([1, 2]);
    expect(l.highWatermark).toBe(7);
    expect(l.isrChangeAnswered(accepted([1, 2], 11), 2)).toBe(true);
    expect(l.highWatermark).toBe(20);
    expect(l.partitionEpoch).toBe(11);
  });

  it('with replicas below min.insync.replicas: acks=1 still advances, acks=all is refused', () => {
    const l = leader({ replicas: [1], isr: [1], minInsyncReplicas: 2 });
    expect(l.highWatermarkFrozen).toBe(false);
    expect(l.highWatermark).toBe(10);
    expect(l.localAppended(11)).toBe(true);
    expect(l.checkAcksAll()).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(l.acksAllStatus(11)).toBe('notEnoughReplicasAfterAppend');
  });
});

describe('PartitionLeader caught-up tracking (Replica.updateFetchState)', () => {
  it('a fetch at the leader end is caught up now; at the end seen by its previous fetch, caught up then', () => {
    const l = leader({ replicaLagTimeMaxMs: 100, isr: [1, 2, 3], nowMs: 0 });
    l.followerFetched(3, 10, 0);
    l.followerFetched(2, 10, 50); // caught up at 50
    expect(l.followerLastCaughtUpMs(2)).toBe(50);
    l.localAppended(20);
    l.followerFetched(2, 15, 120); // behind 20 but past 10 (the end at its previous fetch, t=50)
    expect(l.followerLastCaughtUpMs(2)).toBe(50);
    l.followerFetched(2, 20, 130); // past 20 (the end at its previous fetch, t=120) -> 120... and at the end -> 130
    expect(l.followerLastCaughtUpMs(2)).toBe(130);
    l.localAppended(30);
    l.followerFetched(2, 25, 140); // past 20, the end when it fetched at 130
    expect(l.followerLastCaughtUpMs(2)).toBe(130);
    l.localAppended(40);
    l.followerFetched(2, 26, 150); // below 30, the end at t=140: no progress
    expect(l.followerLastCaughtUpMs(2)).toBe(130);
  });

  it('ISR members start caught up at construction; others never caught up', () => {
    const l = leader({ isr: [1, 2], nowMs: 500 });
    expect(l.followerLastCaughtUpMs(2)).toBe(500);
    expect(l.followerLastCaughtUpMs(3)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('PartitionLeader ISR changes', () => {
  it('shrinks members that have not caught up within replica.lag.time.max.ms, only once answered', () => {
    const l = leader({ replicaLagTimeMaxMs: 100 });
    l.followerFetched(2, 10, 0);
    l.followerFetched(3, 10, 0);
    l.localAppended(20);
    l.followerFetched(2, 20, 90);
    expect(l.proposeIsrChange(100)).toBeNull(); // 100 - 0 is not > 100
    const proposal = l.proposeIsrChange(101);
    expect(proposal).toMatchObject({ leaderEpoch: 5, partitionEpoch: 10, newIsr: [1, 2] });
    expect(l.isrChangeInFlight).toBe(true);
    // One in flight: no second proposal, and the shrink is not in effect yet.
    expect(l.proposeIsrChange(500)).toBeNull();
    expect(l.maximalIsr).toEqual([1, 2, 3]);
    expect(l.highWatermark).toBe(10);
    expect(l.isrChangeAnswered(accepted([1, 2], 11), 510)).toBe(true);
    expect(l.highWatermark).toBe(20);
    expect(l.committedIsr).toEqual([1, 2]);
    expect(l.underReplicated).toBe(true);
    expect(l.isrChangeInFlight).toBe(false);
  });

  it('expands a replica whose log end reached the HW and this epoch start; it counts while in flight', () => {
    const l = leader({ isr: [1, 2], logEndOffset: 10, highWatermark: 10 });
    l.followerFetched(2, 10, 0);
    l.localAppended(30);
    l.followerFetched(2, 30, 1);
    expect(l.highWatermark).toBe(30);
    l.followerFetched(3, 25, 2); // below the HW: not yet
    expect(l.proposeIsrChange(2)).toBeNull();
    l.followerFetched(3, 30, 3);
    expect(l.proposeIsrChange(3)).toMatchObject({ leaderEpoch: 5, partitionEpoch: 10, newIsr: [1, 2, 3] });
    expect(l.maximalIsr).toEqual([1, 2, 3]);
    expect(l.committedIsr).toEqual([1, 2]);
    l.localAppended(40);
    l.followerFetched(2, 40, 4);
    expect(l.highWatermark).toBe(30); // held by 3, in the maximal ISR
    expect(l.isrChangeAnswered(accepted([1, 2, 3], 11), 5)).toBe(false);
    expect(l.committedIsr).toEqual([1, 2, 3]);
  });

  it('does not ask for a caught-up replica the controller would refuse (fenced), until it may join', () => {
    const l = leader({ isr: [1, 2], logEndOffset: 10, highWatermark: 10 });
    l.followerFetched(2, 10, 0);
    l.followerFetched(3, 10, 0);
    const fenced = new Set([3]);
    const mayJoin = (id: number) => !fenced.has(id);
    expect(l.proposeIsrChange(1, mayJoin)).toBeNull();
    expect(l.proposeIsrChange(50, mayJoin)).toBeNull();
    fenced.delete(3);
    expect(l.proposeIsrChange(51, mayJoin)).toMatchObject({ newIsr: [1, 2, 3] });
  });

  it('does not expand a replica below the start of this leader epoch, even if it reached the HW', () => {
    const l = leader({ isr: [1, 2], logEndOffset: 20, highWatermark: 5 });
    l.followerFetched(3, 12, 0);
    expect(l.proposeIsrChange(0)).toBeNull();
    l.followerFetched(3, 20, 1);
    expect(l.proposeIsrChange(1)?.newIsr).toEqual([1, 2, 3]);
  });

  it('a refused expand leaves the committed ISR, frees the HW, and is not re-proposed before the backoff', () => {
    const l = leader({ isr: [1, 2], logEndOffset: 10, highWatermark: 10 });
    l.followerFetched(2, 10, 0);
    l.followerFetched(3, 10, 0);
    expect(l.proposeIsrChange(0)?.newIsr).toEqual([1, 2, 3]);
    l.localAppended(20);
    l.followerFetched(2, 20, 1);
    expect(l.highWatermark).toBe(10);
    expect(l.isrChangeAnswered(refused(ErrorCode.INELIGIBLE_REPLICA), 50)).toBe(true);
    expect(l.highWatermark).toBe(20);
    expect(l.maximalIsr).toEqual([1, 2]);
    l.followerFetched(3, 20, 60);
    expect(l.proposeIsrChange(60)).toBeNull();
    expect(l.proposeIsrChange(149)).toBeNull();
    expect(l.proposeIsrChange(150)?.newIsr).toEqual([1, 2, 3]);
  });

  it('after a stale-epoch refusal it waits for metadata (or the backoff); newer metadata lifts the wait', () => {
    const l = leader({ replicaLagTimeMaxMs: 100 });
    l.followerFetched(3, 10, 0);
    let now = 150;
    l.followerFetched(2, 10, now);
    expect(l.proposeIsrChange(now)?.newIsr).toEqual([1, 2]);
    for (const code of [ErrorCode.INVALID_UPDATE_VERSION, ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.NOT_CONTROLLER]) {
      l.isrChangeAnswered(refused(code), now + 10);
      expect(l.committedIsr).toEqual([1, 2, 3]);
      l.followerFetched(2, 10, now + 50);
      expect(l.proposeIsrChange(now + 50)).toBeNull();
      expect(l.proposeIsrChange(now + 109)).toBeNull();
      expect(l.proposeIsrChange(now + 110)?.newIsr).toEqual([1, 2]);
      now += 110;
    }
    l.isrChangeAnswered(refused(ErrorCode.INVALID_UPDATE_VERSION), now + 1);
    expect(l.metadataChanged({ isr: [1, 2, 3], partitionEpoch: 12, replicas: [1, 2, 3] }, now + 2)).toBe(false);
    expect(l.partitionEpoch).toBe(12);
    expect(l.proposeIsrChange(now + 3)).toMatchObject({ leaderEpoch: 5, partitionEpoch: 12, newIsr: [1, 2] });
  });

  it('a failed (unanswered) expand stays in the maximal ISR until an answer or metadata settles it', () => {
    const l = leader({ isr: [1, 2], logEndOffset: 10, highWatermark: 10 });
    l.followerFetched(2, 10, 0);
    l.followerFetched(3, 10, 0);
    expect(l.proposeIsrChange(0)?.newIsr).toEqual([1, 2, 3]);
    l.isrChangeFailed(10);
    expect(l.isrChangeInFlight).toBe(false);
    // The controller may have applied it: replica 3 still holds the HW.
    l.localAppended(20);
    l.followerFetched(2, 20, 11);
    expect(l.highWatermark).toBe(10);
    expect(l.maximalIsr).toEqual([1, 2, 3]);
    expect(l.proposeIsrChange(50)).toBeNull();
    // Asked again after the backoff, even though 3 no longer qualifies on its own.
    expect(l.proposeIsrChange(110)?.newIsr).toEqual([1, 2, 3]);
    // A refusal that says "not applied, and your epoch is current" settles it.
    expect(l.isrChangeAnswered(refused(ErrorCode.OPERATION_NOT_ATTEMPTED), 120)).toBe(true);
    expect(l.maximalIsr).toEqual([1, 2]);
    expect(l.highWatermark).toBe(20);
  });

  it('a failure without a time starts the backoff at the next call', () => {
    const l = leader({ isr: [1, 2], logEndOffset: 10, highWatermark: 10 });
    l.followerFetched(3, 10, 0);
    expect(l.proposeIsrChange(0)).not.toBeNull();
    l.isrChangeFailed();
    expect(l.proposeIsrChange(500)).toBeNull();
    expect(l.proposeIsrChange(599)).toBeNull();
    expect(l.proposeIsrChange(600)).not.toBeNull();
  });

  it('after an ambiguous refusal the adds of an earlier failure stay; newer metadata settles them', () => {
    const l = leader({ isr: [1, 2], logEndOffset: 10, highWatermark: 10 });
    l.followerFetched(2, 10, 0);
    l.followerFetched(3, 10, 0);
    l.proposeIsrChange(0);
    l.isrChangeFailed(0);
    l.proposeIsrChange(100);
    l.isrChangeAnswered(refused(ErrorCode.INVALID_UPDATE_VERSION), 101);
    expect(l.maximalIsr).toEqual([1, 2, 3]);
    l.isrChangeAnswered(refused(ErrorCode.UNKNOWN_SERVER_ERROR), 102); // nothing in flight: ignored
    expect(l.metadataChanged({ isr: [1, 2], partitionEpoch: 11, replicas: [1, 2, 3] }, 103)).toBe(false);
    expect(l.maximalIsr).toEqual([1, 2]);
  });

  it('an unknown error or a success at a stale epoch keeps the adds, as they may have been applied', () => {
    const l = leader({ isr: [1, 2], logEndOffset: 10, highWatermark: 10 });
    l.followerFetched(3, 10, 0);
    l.proposeIsrChange(0);
    l.isrChangeAnswered(refused(ErrorCode.UNKNOWN_SERVER_ERROR), 1);
    expect(l.maximalIsr).toEqual([1, 2, 3]);
    l.proposeIsrChange(200);
    l.isrChangeAnswered(accepted([1, 2, 3], 10), 201);
    expect(l.committedIsr).toEqual([1, 2]);
    expect(l.maximalIsr).toEqual([1, 2, 3]);
    l.proposeIsrChange(400);
    l.isrChangeAnswered(accepted([1, 2, 3], 11, 6), 401);
    expect(l.committedIsr).toEqual([1, 2]);
    expect(l.partitionEpoch).toBe(10);
  });

  it('metadata at or below its partition epoch is ignored; newer metadata drops the proposal in flight', () => {
    const l = leader({ replicaLagTimeMaxMs: 100 });
    l.followerFetched(2, 10, 150);
    expect(l.proposeIsrChange(150)?.newIsr).toEqual([1, 2]);
    expect(l.metadataChanged({ isr: [1], partitionEpoch: 10, replicas: [1, 2, 3] }, 151)).toBe(false);
    expect(l.committedIsr).toEqual([1, 2, 3]);
    expect(l.isrChangeInFlight).toBe(true);
    // The controller fenced 3 itself.
    expect(l.metadataChanged({ isr: [1, 2], partitionEpoch: 11, replicas: [1, 2, 3] }, 152)).toBe(true);
    expect(l.highWatermark).toBe(10);
    expect(l.isrChangeInFlight).toBe(false);
    expect(l.isrChangeAnswered(accepted([1, 2], 11), 153)).toBe(false);
    expect(l.partitionEpoch).toBe(11);
  });

  it('metadata that changes the replicas adds and removes follower states', () => {
    const l = leader();
    l.followerFetched(3, 10, 0);
    l.metadataChanged({ isr: [1, 2], partitionEpoch: 11, replicas: [1, 2, 4] }, 10);
    expect(l.followerLogEndOffset(3)).toBe(-1);
    expect(l.followerFetched(3, 10, 11)).toBe(false);
    l.followerFetched(4, 10, 12);
    expect(l.followerLogEndOffset(4)).toBe(10);
    expect(l.replicas).toEqual([1, 2, 4]);
  });
});

describe('PartitionLeader broker epochs (KIP-903)', () => {
  it('proposes each member with the broker epoch it last fetched with', () => {
    const l = leader({ isr: [1, 2], logEndOffset: 10, highWatermark: 10 });
    l.followerFetched(2, 10, 0, { brokerEpoch: 7 });
    l.followerFetched(3, 10, 0, { brokerEpoch: 4 });
    expect(l.proposeIsrChange(0)?.newIsrWithEpochs).toEqual([
      { brokerId: 1, brokerEpoch: -1 },
      { brokerId: 2, brokerEpoch: 7 },
      { brokerId: 3, brokerEpoch: 4 },
    ]);
  });

  it('ignores a late fetch from an older incarnation, and starts afresh for a newer one', () => {
    const l = leader({ isr: [1, 2], logEndOffset: 20, highWatermark: 10 });
    l.followerFetched(3, 20, 0, { brokerEpoch: 4 });
    // Replica 3 restarts (broker epoch 5) having lost its tail, then a fetch its old
    // incarnation sent before the crash arrives: it must not count.
    expect(l.followerFetched(3, 12, 1, { brokerEpoch: 5 })).toBe(false);
    expect(l.followerLogEndOffset(3)).toBe(12);
    expect(l.followerLastCaughtUpMs(3)).toBe(Number.NEGATIVE_INFINITY);
    l.followerFetched(3, 20, 2, { brokerEpoch: 4 });
    expect(l.followerLogEndOffset(3)).toBe(12);
    expect(l.proposeIsrChange(3)).toBeNull();
  });

  it('regression (simulation seed 870): a stale report does not let a restarted replica rejoin as it was', () => {
    const l = leader({ isr: [1, 2, 3], logEndOffset: 20, highWatermark: 10 });
    l.followerFetched(2, 20, 0, { brokerEpoch: 1 });
    // 3's fetch from before its crash arrives after it: it counts for the HW (3 had those
    // records when it sent it), and is tagged with the old incarnation.
    expect(l.followerFetched(3, 20, 1, { brokerEpoch: 2 })).toBe(true);
    // The controller removes the restarted 3 from the ISR on its re-registration.
    l.metadataChanged({ isr: [1, 2], partitionEpoch: 11, replicas: [1, 2, 3] }, 2);
    const proposal = l.proposeIsrChange(3);
    // The leader still thinks 3 is at 20, but says which incarnation it saw there:
    // the controller refuses it (INELIGIBLE_REPLICA), as 3 now runs incarnation 3.
    expect(proposal?.newIsrWithEpochs).toContainEqual({ brokerId: 3, brokerEpoch: 2 });
    l.isrChangeAnswered({ errorCode: ErrorCode.INELIGIBLE_REPLICA, leaderEpoch: 5, partitionEpoch: 11, isr: [1, 2] }, 4);
    expect(l.maximalIsr).toEqual([1, 2]);
    // Its new incarnation reports what it really has.
    l.followerFetched(3, 17, 5, { brokerEpoch: 3 });
    expect(l.proposeIsrChange(200)).toBeNull();
  });
});

describe('PartitionLeader acks=all', () => {
  it('refuses up front below min.insync.replicas, then waits for the HW', () => {
    expect(leader({ isr: [1] }).checkAcksAll()).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    const l = leader({ isr: [1, 2] });
    expect(l.checkAcksAll()).toBe(ErrorCode.NONE);
    l.localAppended(11);
    expect(l.acksAllStatus(11)).toBe('waiting');
    l.followerFetched(2, 11, 1);
    expect(l.acksAllStatus(11)).toBe('satisfied');
    expect(l.acksAllStatus(7)).toBe('satisfied');
  });

  it('reports not-enough-replicas-after-append when the ISR shrank below the minimum after the HW passed', () => {
    const l = leader({ isr: [1, 2], replicaLagTimeMaxMs: 100 });
    l.localAppended(11);
    l.followerFetched(2, 11, 0);
    expect(l.proposeIsrChange(200)?.newIsr).toEqual([1]);
    l.isrChangeAnswered(accepted([1], 11), 201);
    expect(l.underMinIsr).toBe(true);
    expect(l.acksAllStatus(11)).toBe('notEnoughReplicasAfterAppend');
    expect(l.acksAllStatus(12)).toBe('waiting');
  });
});

describe('PartitionLeader options', () => {
  it('asserts on options that only a bug could produce', () => {
    expect(() => leader({ highWatermark: 11 })).toThrow(/highWatermark/);
    expect(() => leader({ isr: [2, 3] })).toThrow(/ISR/);
    expect(() => leader({ replicas: [2, 3], isr: [1] })).toThrow(/replicas/);
    expect(() => leader({ minInsyncReplicas: 0 })).toThrow(/minInsyncReplicas/);
    expect(() => leader({ replicaLagTimeMaxMs: 0 })).toThrow(/replicaLagTimeMaxMs/);
    expect(() => leader().localAppended(9)).toThrow(/only grows/);
  });
});
