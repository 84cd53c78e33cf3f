import { join } from 'node:path';
import { FaultProxy, type LinkVerdict } from './fault-proxy.js';
import { freePort } from './free-port.js';
import { mountTmpfs, unmountTmpfs } from './host-faults.js';
import { NetnsLab, netnsAvailable } from './netns.js';
import { ServerProcess, type ServerProcessOptions } from './server-process.js';
import { ownerOfPeer } from './socket-owner.js';

/** How node-to-node links are cut: network namespaces (root) or proxies (anyone). */
export type NetworkMode = 'netns' | 'proxy';

export interface FaultyClusterOptions {
  /** How many nodes; ids run from 1. Every node has both roles. */
  readonly nodes: number;
  readonly properties?: ServerProcessOptions['properties'];
  readonly nodeArgs?: ServerProcessOptions['nodeArgs'];
  readonly env?: ServerProcessOptions['env'];
  /** netns when root and iproute2 allow it, else proxy, unless set. */
  readonly network?: NetworkMode;
  /** Root only: each node's log dir on a tmpfs of this size, so it can be filled. */
  readonly tmpfsMb?: number;
  readonly readyTimeoutMs?: number;
  /** Each node also writes all it prints to `node-<id>.log` here. */
  readonly outputDir?: string;
}

/**
 * The links between nodes, which a nemesis cuts and heals. `block(a, b)` drops what a sends
 * to b (one way); both ways is a full partition between the two.
 */
export interface PeerNetwork {
  readonly mode: NetworkMode;
  block(from: number, to: number): Promise<void>;
  unblock(from: number, to: number): Promise<void>;
  /** Every link blocked now, as [from, to]. */
  blocked(): [number, number][];
  heal(): Promise<void>;
}

/**
 * A cluster of real rill-server processes (broker and controller on every node) whose
 * node-to-node links can be partitioned, one way or both, and whose client connections pass
 * through a FaultProxy per node, which can cut them mid-request. As root the nodes run in
 * network namespaces and partitions are blackhole routes; otherwise every internal listener
 * sits behind a proxy that knows which node each connection comes from.
 */
export class FaultyCluster {
  readonly nodes: readonly ServerProcess[];
  readonly network: PeerNetwork;
  readonly #clientProxies: ReadonlyMap<number, FaultProxy>;
  readonly #peerProxies: readonly FaultProxy[];
  readonly #lab: NetnsLab | null;
  readonly #tmpfs: boolean;

  private constructor(parts: {
    nodes: ServerProcess[];
    network: PeerNetwork;
    clientProxies: Map<number, FaultProxy>;
    peerProxies: FaultProxy[];
    lab: NetnsLab | null;
    tmpfs: boolean;
  }) {
    this.nodes = parts.nodes;
    this.network = parts.network;
    this.#clientProxies = parts.clientProxies;
    this.#peerProxies = parts.peerProxies;
    this.#lab = parts.lab;
    this.#tmpfs = parts.tmpfs;
  }

  static async start(options: FaultyClusterOptions): Promise<FaultyCluster> {
    const mode = options.network ?? (netnsAvailable() ? 'netns' : 'proxy');
    const ids = Array.from({ length: options.nodes }, (_, i) => i + 1);
    const lab = mode === 'netns' ? await NetnsLab.create(ids) : null;
    const nodes: ServerProcess[] = [];
    const clientProxies = new Map<number, FaultProxy>();
    const peerProxies: FaultProxy[] = [];
    const tmpfs = options.tmpfsMb !== undefined;
    const parts = { nodes, clientProxies, peerProxies, lab, tmpfs };
    try {
      for (const id of ids) {
        nodes.push(
          await ServerProcess.prepare({
            nodeId: id,
            ...(lab ? { host: lab.address(id), launcher: lab.launcher(id) } : {}),
            ...(options.env ? { env: options.env } : {}),
            ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
            ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
            ...(options.outputDir ? { outputFile: join(options.outputDir, `node-${id}.log`) } : {}),
          }),
        );
      }
      if (tmpfs) for (const node of nodes) await mountTmpfs(node.dataDir, options.tmpfsMb!);
      const network = lab ? netnsNetwork(lab) : await proxyNetwork(nodes, peerProxies);
      for (const node of nodes) {
        const proxy = await FaultProxy.start({ name: `n${node.nodeId}`, target: { host: node.host, port: node.kafkaPort }, identify: () => 'client' });
        clientProxies.set(node.nodeId, proxy);
      }
      const internal = new Map(nodes.map((n) => [n.nodeId, lab ? `${n.host}:${n.internalPort}` : peerProxies[n.nodeId - 1]!.address]));
      const voters = nodes.map((n) => `${n.nodeId}@${internal.get(n.nodeId)}`).join(',');
      for (const node of nodes) {
        node.configure({
          voters,
          properties: {
            ...options.properties,
            'process.roles': 'broker,controller',
            'advertised.listeners': `PLAINTEXT://${clientProxies.get(node.nodeId)!.address}`,
            'internal.advertised.listener': internal.get(node.nodeId)!,
          },
        });
      }
      const cluster = new FaultyCluster({ ...parts, network });
      await Promise.all(nodes.map((node) => node.restart())).catch(async (error: unknown) => {
        await cluster.destroy();
        throw error;
      });
      return cluster;
    } catch (error) {
      await destroyParts(parts);
      throw error;
    }
  }

  node(nodeId: number): ServerProcess {
    const node = this.nodes.find((n) => n.nodeId === nodeId);
    if (node === undefined) throw new Error(`no node ${nodeId} in this cluster`);
    return node;
  }

  running(): ServerProcess[] {
    return this.nodes.filter((n) => n.running);
  }

  /** The proxy in front of node `nodeId`'s Kafka listener (the address it advertises). */
  clientProxy(nodeId: number): FaultProxy {
    const proxy = this.#clientProxies.get(nodeId);
    if (proxy === undefined) throw new Error(`no node ${nodeId} in this cluster`);
    return proxy;
  }

  /** Bootstrap servers for Kafka clients: every node's client proxy. */
  get bootstrap(): string[] {
    return [...this.#clientProxies.values()].map((p) => p.address);
  }

  get usesTmpfs(): boolean {
    return this.#tmpfs;
  }

  /** Stops every process (SIGKILL), closes proxies, unmounts, removes namespaces and data. */
  async destroy(): Promise<void> {
    await destroyParts({
      nodes: [...this.nodes],
      clientProxies: new Map(this.#clientProxies),
      peerProxies: [...this.#peerProxies],
      lab: this.#lab,
      tmpfs: this.#tmpfs,
    });
  }
}

async function destroyParts(parts: {
  nodes: ServerProcess[];
  clientProxies: Map<number, FaultProxy>;
  peerProxies: FaultProxy[];
  lab: NetnsLab | null;
  tmpfs: boolean;
}): Promise<void> {
  await Promise.all(
    parts.nodes.map(async (node) => {
      if (!node.running) return;
      await node.signal('SIGCONT');
      await node.kill();
    }),
  );
  await Promise.all([...parts.clientProxies.values(), ...parts.peerProxies].map((p) => p.close()));
  if (parts.tmpfs) for (const node of parts.nodes) await unmountTmpfs(node.dataDir);
  await Promise.all(parts.nodes.map((node) => node.destroy()));
  await parts.lab?.destroy();
}

function netnsNetwork(lab: NetnsLab): PeerNetwork {
  return {
    mode: 'netns',
    block: (from, to) => lab.block(from, to),
    unblock: (from, to) => lab.unblock(from, to),
    blocked: () => lab.blocked().map((key) => key.split('>').map(Number) as [number, number]),
    heal: () => lab.heal(),
  };
}

/**
 * One proxy in front of each node's internal listener; every node is told to reach the
 * others through them. A connection's source node is found from the socket's owner.
 */
async function proxyNetwork(nodes: readonly ServerProcess[], proxies: FaultProxy[]): Promise<PeerNetwork> {
  const blocked = new Set<string>();
  const labelOf = async (socket: Parameters<typeof ownerOfPeer>[0]): Promise<string | null> => {
    const pids = nodes.map((n) => n.pid).filter((pid): pid is number => pid !== undefined);
    const pid = await ownerOfPeer(socket, pids);
    const node = nodes.find((n) => n.pid === pid);
    return node ? `n${node.nodeId}` : null;
  };
  const policy = (from: string | null, to: string | null): LinkVerdict =>
    from !== null && to !== null && blocked.has(`${from.slice(1)}>${to.slice(1)}`) ? 'hold' : 'pass';
  for (const node of nodes) {
    proxies.push(
      await FaultProxy.start({
        name: `n${node.nodeId}`,
        port: await freePort(),
        target: { host: node.host, port: node.internalPort },
        identify: labelOf,
        policy,
      }),
    );
  }
  const apply = (): void => {
    for (const proxy of proxies) proxy.reevaluate();
  };
  return {
    mode: 'proxy',
    block: async (from, to) => {
      blocked.add(`${from}>${to}`);
      apply();
    },
    unblock: async (from, to) => {
      blocked.delete(`${from}>${to}`);
      apply();
    },
    blocked: () => [...blocked].map((key) => key.split('>').map(Number) as [number, number]),
    heal: async () => {
      blocked.clear();
      apply();
    },
  };
}
