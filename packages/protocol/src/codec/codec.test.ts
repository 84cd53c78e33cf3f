import { describe, expect, expectTypeOf, it } from 'vitest';
import { encodeRecordBatch } from '../records/record-codec.js';
import type { ProduceRequest } from '../messages/produce.js';
import { DecodeError } from '../wire/decode-error.js';
import { Writer } from '../wire/writer.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, encodeResponseChunks } from './frames.js';
import { decodeRequestHeader } from './headers.js';
import { ApiKey, getApi } from './registry.js';

const header = { correlationId: 9, clientId: 'c' };

describe('codec', () => {
  it('decodes Produce records as a view of the frame (no copy) with the inferred type', () => {
    const batch = encodeRecordBatch({ records: [{ value: Buffer.alloc(1 << 20, 1), timestamp: 1 }] });
    const frame = encodeRequest(ApiKey.Produce, 7, header, {
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: batch }] }],
    }).subarray(4);
    const h = decodeRequestHeader(frame);
    const request = decodeRequest(ApiKey.Produce, 7, frame, h.bodyOffset);
    expectTypeOf(request).toEqualTypeOf<ProduceRequest>();
    const records = request.topicData[0]!.partitionData[0]!.records!;
    expect(records.buffer).toBe(frame.buffer);
    expect(records.equals(batch)).toBe(true);
    expect(request.transactionalId).toBeNull();
  });

  it('passes large records by reference in chunked responses', () => {
    const records = Buffer.alloc(4096, 3);
    const chunks = encodeResponseChunks(ApiKey.Fetch, 11, 5, {
      responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 1, records }] }],
    });
    expect(chunks).toContain(records);
    const frame = Buffer.concat(chunks);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    const { body } = decodeResponse(ApiKey.Fetch, 11, frame.subarray(4));
    expect(body.responses[0]!.partitions[0]).toMatchObject({ preferredReadReplica: -1, lastStableOffset: -1 });
  });

  it('writes ApiVersions v3 responses with a v0 header (no tagged fields)', () => {
    const frame = encodeResponse(ApiKey.ApiVersions, 3, 42, { errorCode: 0, apiKeys: [] });
    // size, correlation id, error code, compact array (0 items = 1), throttle, tag count
    expect(frame.toString('hex')).toBe('0000000c' + '0000002a' + '0000' + '01' + '00000000' + '00');
  });

  it('reads request header v2 for flexible versions and v1 fields for unknown ones', () => {
    const frame = encodeRequest(ApiKey.ApiVersions, 3, header, {
      clientSoftwareName: 'x',
      clientSoftwareVersion: '1',
    }).subarray(4);
    const h = decodeRequestHeader(frame);
    expect(h.bodyOffset).toBe(2 + 2 + 4 + 3 + 1);
    const unknown = Buffer.from('7fff0009000000010001' + '61', 'hex');
    expect(decodeRequestHeader(unknown)).toMatchObject({ apiKey: 0x7fff, apiVersion: 9, correlationId: 1, clientId: 'a' });
    expect(getApi(0x7fff)).toBeUndefined();
  });

  it('skips unknown tags and rejects duplicate or out-of-order tags', () => {
    const body = (tags: number[][]) => {
      const w = new Writer();
      w.int16(0);
      w.uvarint(1); // empty compact array
      w.int32(0);
      w.uvarint(tags.length);
      for (const [tag, ...bytes] of tags) {
        w.uvarint(tag!);
        w.uvarint(bytes.length);
        w.raw(Buffer.from(bytes));
      }
      return Buffer.concat([Buffer.from('0000002a', 'hex'), w.finish()]);
    };
    const epoch = [1, 0, 0, 0, 0, 0, 0, 0, 7];
    expect(decodeResponse(ApiKey.ApiVersions, 3, body([epoch, [9, 1, 2]])).body.finalizedFeaturesEpoch).toBe(7);
    expect(() => decodeResponse(ApiKey.ApiVersions, 3, body([epoch, epoch]))).toThrow(DecodeError);
    expect(() => decodeResponse(ApiKey.ApiVersions, 3, body([[9], epoch]))).toThrow(DecodeError);
    expect(() => decodeResponse(ApiKey.ApiVersions, 3, body([[1, 0, 7]]))).toThrow(DecodeError);
  });

  it('encodes DescribeQuorum v0 as a flexible request: header v2, compact lengths, tag sections', () => {
    const frame = encodeRequest(ApiKey.DescribeQuorum, 0, header, {
      topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
    });
    const name = Buffer.from('__cluster_metadata').toString('hex');
    const body = '02' + '13' + name + '02' + '00000000' + '00' + '00' + '00';
    const head = '0037' + '0000' + '00000009' + '0001' + '63' + '00';
    expect(frame.subarray(4).toString('hex')).toBe(head + body);
    const response = encodeResponse(ApiKey.IncrementalAlterConfigs, 1, 9, { responses: [] });
    // correlation id, then response header v1's empty tag section, throttle, empty array, tags
    expect(response.subarray(4).toString('hex')).toBe('00000009' + '00' + '00000000' + '01' + '00');
  });

  it('fills fields absent from a version with schema defaults', () => {
    const frame = encodeRequest(ApiKey.Metadata, 0, header, { topics: [{ name: 'a' }] }).subarray(4);
    const request = decodeRequest(ApiKey.Metadata, 0, frame, decodeRequestHeader(frame).bodyOffset);
    expect(request).toEqual({ topics: [{ name: 'a' }], allowAutoTopicCreation: true });
  });

  it('rejects unsupported versions with DecodeError', () => {
    expect(() => decodeRequest(ApiKey.Fetch, 3, Buffer.alloc(64), 0)).toThrow(DecodeError);
  });
});
