import { createHash } from 'node:crypto';
import { Writer } from '@rill/protocol';
import type { MetadataImage } from './image.js';
import { imageRecords } from './image-records.js';
import { writeRecordList } from './record-codec.js';

/**
 * SHA-256 (hex) of the image's canonical records, provenance left out: two nodes that
 * replayed the same log to the same offset must agree on it (reliability plan I10), and a
 * snapshot round trip must keep it.
 */
export function imageHash(image: MetadataImage): string {
  const writer = new Writer();
  writeRecordList(writer, imageRecords(image));
  return createHash('sha256').update(writer.finish()).digest('hex');
}
