import { ServerProcess, type ServerProcessOptions } from './server-process.js';
import { waitFor } from './wait-for.js';

export interface ClusterOptions {
  /** How many nodes; ids run from 1. */
  readonly nodes: number;
  /** process.roles of every node, e.g. 'controller' or 'broker,controller'. */
  readonly roles?: string;
  /**
   * Separate roles instead: the first `controllers` nodes are controllers (the voters), the
   * rest brokers only.
   */
  readonly controllers?: number;
  /** Properties for every node. */
  readonly properties?: ServerProcessOptions['properties'];
  readonly env?: ServerProcessOptions['env'];
  readonly nodeArgs?: ServerProcessOptions['nodeArgs'];
}

/**
 * N real rill-server processes on 127.0.0.1 that form one quorum: ports are chosen first
 * so every node gets the full controller.quorum.voters, then all start together.
 */
export class Cluster {
  readonly nodes: readonly ServerProcess[];

  private constructor(nodes: ServerProcess[]) {
    this.nodes = nodes;
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const nodes: ServerProcess[] = [];
    for (let nodeId = 1; nodeId <= options.nodes; nodeId++) {
      const roles = options.controllers !== undefined ? (nodeId <= options.controllers ? 'controller' : 'broker') : options.roles;
      nodes.push(
        await ServerProcess.prepare({
          nodeId,
          properties: { ...(roles ? { 'process.roles': roles } : {}), ...options.properties },
          ...(options.env ? { env: options.env } : {}),
          ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
        }),
      );
    }
    const voters = nodes
      .filter((node) => options.controllers === undefined || node.nodeId <= options.controllers)
      .map((node) => node.voter)
      .join(',');
    for (const node of nodes) node.configure({ voters });
    const cluster = new Cluster(nodes);
    try {
      await Promise.all(nodes.map((node) => node.restart()));
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  node(nodeId: number): ServerProcess {
    const node = this.nodes.find((n) => n.nodeId === nodeId);
    if (node === undefined) throw new Error(`no node ${nodeId} in this cluster`);
    return node;
  }

  running(): ServerProcess[] {
    return this.nodes.filter((n) => n.running);
  }

  /** Bootstrap servers of the running nodes with a Kafka listener, for Kafka clients. */
  get bootstrap(): string[] {
    return this.running()
      .filter((n) => n.hasBrokerRole)
      .map((n) => n.bootstrap);
  }

  /** Waits until a running node reports a metric line matching `pattern`, and returns the match. */
  async waitForMetric(pattern: RegExp, options: { timeoutMs: number; description: string }): Promise<RegExpExecArray> {
    return waitFor(async () => {
      for (const node of this.running()) {
        const match = pattern.exec(await node.metrics().catch(() => ''));
        if (match) return match;
      }
      return null;
    }, options);
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.destroy()));
  }
}
