import type { QuorumMetadataStore } from '../metadata/quorum-metadata-store.js';
import type { BrokerRegistrationRequest } from './controller-rpc.js';

/**
 * Registers this broker with the active controller and waits until this node has replayed
 * its own registration: only then does its metadata include everything committed before
 * it, so the broker may open partitions and remove logs the metadata no longer names.
 */
export async function registerWithController(store: QuorumMetadataStore, registration: BrokerRegistrationRequest): Promise<void> {
  for (;;) {
    const registered = await store.registerBroker(registration);
    if (registered) return;
  }
}
