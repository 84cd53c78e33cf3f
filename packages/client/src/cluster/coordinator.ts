import { ApiKey, ErrorCode } from '@rill/protocol';
import { KafkaError } from '../errors.js';
import { coordinatorCacheMax } from '../limits.js';
import type { Connection } from '../network/connection.js';
import type { Cluster } from './cluster.js';

/** Error codes after which a group's coordinator must be looked up again. */
export function isCoordinatorMoved(code: number): boolean {
  return code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE;
}

/** Finds and remembers each group's coordinator broker. */
export class CoordinatorLookup {
  readonly #cluster: Cluster;
  readonly #known = new Map<string, { host: string; port: number; nodeId: number }>();

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
  }

  /** The coordinator's connection; FindCoordinator errors are typed (and mostly retriable). */
  async connectionFor(groupId: string): Promise<Connection> {
    let known = this.#known.get(groupId);
    if (known === undefined) {
      const response = await this.#cluster.requestAny(ApiKey.FindCoordinator, {
        key: groupId,
        keyType: 0,
      });
      if (response.errorCode !== ErrorCode.NONE) {
        throw new KafkaError(response.errorCode, {
          apiName: 'FindCoordinator',
          groupId,
          brokerMessage: response.errorMessage,
        });
      }
      known = { host: response.host, port: response.port, nodeId: response.nodeId };
      if (this.#known.size >= coordinatorCacheMax) this.#known.clear();
      this.#known.set(groupId, known);
    }
    return this.#cluster.connectionTo({ host: known.host, port: known.port });
  }

  coordinatorId(groupId: string): number | undefined {
    return this.#known.get(groupId)?.nodeId;
  }

  forget(groupId: string): void {
    this.#known.delete(groupId);
  }
}
