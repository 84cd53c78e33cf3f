import { ErrorCode } from '@rill/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startControllerHarness, type ControllerHarness } from './testing/controller-harness.js';

/**
 * AllocateProducerIds from brokers to the controller over gRPC: each block is a committed
 * ProducerIdsBlock record, so blocks never overlap, whichever broker asks.
 */
describe('AllocateProducerIds over gRPC', () => {
  let harness: ControllerHarness;
  let broker3: string;

  beforeAll(async () => {
    harness = await startControllerHarness();
    broker3 = await harness.addBroker(3);
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('hands every broker its own block, in log order, and the brokers replay the record', async () => {
    const first = await harness.store.allocateProducerIds(5000);
    const second = (await harness.client.allocateProducerIds({ brokerId: 3, incarnationId: broker3 })).value;
    const third = await harness.store.allocateProducerIds(5000);
    const blocks = [first!, second, third!];
    for (const block of blocks) expect(block).toMatchObject({ errorCode: ErrorCode.NONE, producerIdLen: 1000 });
    expect(blocks.map((b) => b.producerIdStart)).toEqual([0, 1000, 2000].map((d) => first!.producerIdStart + d));
    await eventually(() => harness.brokerQuorum.metadata.image.producerIds.lastBlock?.firstProducerId === third!.producerIdStart || null, 5000, 'broker 2 to replay the last block');
    expect(harness.brokerQuorum.metadata.image.producerIds.lastBlock).toEqual({ brokerId: 2, firstProducerId: third!.producerIdStart, size: 1000 });
  });

  it('refuses a replaced registration (STALE_BROKER_EPOCH) and an unknown broker', async () => {
    const stale = await harness.client.allocateProducerIds({ brokerId: 3, incarnationId: 'an-older-incarnation' });
    expect(stale.value).toEqual({ errorCode: ErrorCode.STALE_BROKER_EPOCH, producerIdStart: -1, producerIdLen: 0 });
    const unknown = await harness.client.allocateProducerIds({ brokerId: 9, incarnationId: 'x' });
    expect(unknown.value.errorCode).toBe(ErrorCode.BROKER_ID_NOT_REGISTERED);
  });
});
