import { assert } from '@rill/base';
import type { BrokerRegistration, ClusterImage } from './image.js';
import type {
  FenceBrokerRecord,
  RegisterBrokerRecord,
  UnfenceBrokerRecord,
  UnregisterBrokerRecord,
} from './records.js';

export type ClusterRecord =
  | RegisterBrokerRecord
  | UnregisterBrokerRecord
  | FenceBrokerRecord
  | UnfenceBrokerRecord;

/**
 * Broker registrations changed since `image`. Replay asserts rather than rejects: records
 * come only from our controller, which checked them against the same image, so a record that
 * does not fit is a bug, and carrying on would let brokers' images diverge (I10).
 */
export class ClusterDelta {
  /** Changed registrations; null = unregistered. */
  readonly #changed = new Map<number, BrokerRegistration | null>();

  constructor(readonly image: ClusterImage) {}

  broker(nodeId: number): BrokerRegistration | undefined {
    const changed = this.#changed.get(nodeId);
    if (changed === null) return undefined;
    return changed ?? this.image.brokers.get(nodeId);
  }

  changedBrokers(): ReadonlyMap<number, BrokerRegistration | null> {
    return this.#changed;
  }

  replay(record: ClusterRecord): void {
    if (record.type === 'registerBroker') {
      const { type: _type, ...registration } = record;
      this.#changed.set(record.nodeId, registration);
      return;
    }
    const current = this.broker(record.nodeId);
    assert(current !== undefined, `${record.type} for unregistered broker ${record.nodeId}`);
    if (record.type === 'unregisterBroker') this.#changed.set(record.nodeId, null);
    else this.#changed.set(record.nodeId, { ...current, fenced: record.type === 'fenceBroker' });
  }

  apply(): ClusterImage {
    const brokers = new Map(this.image.brokers);
    for (const [nodeId, registration] of this.#changed) {
      if (registration === null) brokers.delete(nodeId);
      else brokers.set(nodeId, registration);
    }
    return { brokers };
  }
}
