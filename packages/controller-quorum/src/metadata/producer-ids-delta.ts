import { assert } from '@rill/base';
import { nextProducerId, type ProducerIdsImage } from './image.js';
import type { ProducerIdsBlockRecord } from './records.js';

/** The producer-id blocks handed out since `image`; only the last one matters. */
export class ProducerIdsDelta {
  #lastBlock: ProducerIdsImage['lastBlock'];

  constructor(readonly image: ProducerIdsImage) {
    this.#lastBlock = image.lastBlock;
  }

  replay(record: ProducerIdsBlockRecord): void {
    // Blocks must never overlap: two producers with one id would corrupt each other's state.
    assert(
      record.firstProducerId >= nextProducerId({ lastBlock: this.#lastBlock }),
      'producer id block overlaps',
    );
    const { type: _type, ...block } = record;
    this.#lastBlock = block;
  }

  apply(): ProducerIdsImage {
    return { lastBlock: this.#lastBlock };
  }
}
