import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@rill/testkit';

/** The nats-server binary on PATH (Debian's package puts it in /usr/sbin), or null. */
export function findNatsServer(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v nats-server || ls /usr/sbin/nats-server /usr/local/sbin/nats-server 2>/dev/null'], { encoding: 'utf8' });
  const path = found.stdout.split('\n').find((line) => line.trim() !== '');
  return found.status === 0 && path !== undefined ? path.trim() : null;
}

interface NatsNode {
  readonly name: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly httpPort: number;
  readonly dir: string;
}

/**
 * nats-server processes with JetStream on 127.0.0.1, each with its own free ports and store
 * directory: one node, or a cluster whose nodes route to each other. Started, waited for
 * (a JetStream meta leader in a cluster) and removed with their data.
 */
export class NatsServers {
  readonly #nodes: readonly NatsNode[];
  readonly #children: ChildProcess[] = [];
  readonly #output: string[] = [];

  private constructor(nodes: readonly NatsNode[]) {
    this.#nodes = nodes;
  }

  static async start(binary: string, count: number): Promise<NatsServers> {
    const nodes: NatsNode[] = [];
    for (let i = 1; i <= count; i++) {
      nodes.push({
        name: `n${i}`,
        clientPort: await freePort(),
        clusterPort: await freePort(),
        httpPort: await freePort(),
        dir: await mkdtemp(join(tmpdir(), 'rill-bench-nats-')),
      });
    }
    const servers = new NatsServers(nodes);
    try {
      for (const node of nodes) await servers.#spawn(binary, node);
      await servers.#waitReady();
    } catch (error) {
      await servers.stop();
      throw error;
    }
    return servers;
  }

  get urls(): string[] {
    return this.#nodes.map((n) => `nats://127.0.0.1:${n.clientPort}`);
  }

  get pids(): number[] {
    return this.#children.map((c) => c.pid!);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await Promise.all(this.#nodes.map((n) => rm(n.dir, { recursive: true, force: true })));
  }

  async #spawn(binary: string, node: NatsNode): Promise<void> {
    const routes = this.#nodes.map((n) => `nats://127.0.0.1:${n.clusterPort}`).join(', ');
    const cluster = this.#nodes.length > 1
      ? `cluster { name: bench, listen: 127.0.0.1:${node.clusterPort}, routes: [${routes}] }\n`
      : '';
    const config = [
      `server_name: ${node.name}`,
      `listen: 127.0.0.1:${node.clientPort}`,
      `http: 127.0.0.1:${node.httpPort}`,
      `max_payload: 8MB`,
      `jetstream { store_dir: "${join(node.dir, 'store')}" }`,
      cluster,
    ].join('\n');
    const file = join(node.dir, 'nats.conf');
    await writeFile(file, config);
    const child = spawn(binary, ['-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const remember = (chunk: Buffer): void => {
      this.#output.push(chunk.toString());
      if (this.#output.length > 500) this.#output.splice(0, 250);
    };
    child.stdout!.on('data', remember);
    child.stderr!.on('data', remember);
    this.#children.push(child);
  }

  async #waitReady(): Promise<void> {
    const clustered = this.#nodes.length > 1;
    try {
      await waitFor(
        async () => {
          for (const node of this.#nodes) {
            const response = await fetch(`http://127.0.0.1:${node.httpPort}/jsz`);
            const jsz = (await response.json()) as { meta_cluster?: { leader?: string } };
            if (clustered && !jsz.meta_cluster?.leader) return false;
          }
          return true;
        },
        { timeoutMs: 30_000, description: `nats-server ×${this.#nodes.length} to be ready` },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- nats-server output ---\n${this.#output.join('')}`);
    }
  }
}
