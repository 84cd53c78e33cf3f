/**
 * Numbers for brokers' incarnations, as the replication core wants them (KIP-903 broker
 * epochs): a leader counts a follower's fetch only if it comes from the incarnation the
 * metadata has registered, and a later registration gets a higher number, so the core can
 * tell a restarted follower's fresh state from positions its previous life reported.
 */
export class BrokerEpochs {
  readonly #latest = new Map<number, { readonly incarnationId: string; readonly epoch: number }>();

  /**
   * The epoch of a fetch from `incarnationId`, or null when that is not the incarnation
   * `registered` names (a fetch from before a restart, or one the metadata here has not
   * seen yet: either way its position must not count).
   */
  epochOf(brokerId: number, incarnationId: string, registered: string | undefined): number | null {
    if (incarnationId !== registered) return null;
    const latest = this.#latest.get(brokerId);
    if (latest?.incarnationId === incarnationId) return latest.epoch;
    const epoch = (latest?.epoch ?? -1) + 1;
    this.#latest.set(brokerId, { incarnationId, epoch });
    return epoch;
  }

  /** The incarnation behind an epoch this registry gave out, if it is still the latest. */
  incarnationOf(brokerId: number, epoch: number): string | null {
    const latest = this.#latest.get(brokerId);
    return latest !== undefined && latest.epoch === epoch ? latest.incarnationId : null;
  }
}
