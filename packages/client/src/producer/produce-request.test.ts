import { describe, expect, it } from 'vitest';
import { ApiKey, encodeRequest } from '@rill/protocol';
import { encodeProduceFrame } from './produce-request.js';

describe('encodeProduceFrame', () => {
  it.each([3, 4, 5, 6, 7])('writes the same bytes as encodeRequest for Produce v%i', (version) => {
    const small = Buffer.from('a small batch stand-in');
    const large = Buffer.alloc(5000, 3);
    const topics = [
      {
        name: 'orders',
        partitions: [
          { index: 0, records: large },
          { index: 3, records: small },
        ],
      },
      { name: 'ünïcode-topic', partitions: [{ index: 1, records: large }] },
    ];
    const chunks = encodeProduceFrame({
      version,
      correlationId: 77,
      clientId: 'rill-client',
      acks: -1,
      timeoutMs: 30000,
      topics,
    });
    const expected = encodeRequest(
      ApiKey.Produce,
      version,
      { correlationId: 77, clientId: 'rill-client' },
      {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30000,
        topicData: topics.map((t) => ({ name: t.name, partitionData: t.partitions })),
      },
    );
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    // Large batches travel by reference, not copied into the frame.
    expect(chunks).toContain(large);
  });
});
