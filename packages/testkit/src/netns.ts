import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Whether this process may build network namespaces: root, with iproute2's `ip netns`.
 * Without them, tests fall back to FaultProxy between nodes.
 */
export function netnsAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * One network namespace per node, each with a veth pair on a bridge in the root namespace
 * (where the test and its clients run), on a /24 of its own. A partition is a blackhole
 * route inside the sender's namespace: its packets to that peer vanish, while an open TCP
 * connection stays open and stalls, as on a real network, and flows again once the route goes.
 * Needs root; names carry a random tag so concurrent runs never collide.
 */
export class NetnsLab {
  readonly tag: string;
  readonly subnet: string;
  readonly #nodes: readonly number[];
  readonly #blocked = new Set<string>();
  #closed = false;

  private constructor(tag: string, subnet: string, nodes: readonly number[]) {
    this.tag = tag;
    this.subnet = subnet;
    this.#nodes = nodes;
  }

  /** Builds the bridge and one namespace per node id (ids 1..253). */
  static async create(nodeIds: readonly number[]): Promise<NetnsLab> {
    if (nodeIds.some((id) => id < 1 || id > 253)) throw new Error('node ids must lie in 1..253');
    const tag = randomBytes(3).toString('hex');
    const lab = new NetnsLab(tag, await freeSubnet(), nodeIds);
    try {
      await ip('link', 'add', lab.bridge, 'type', 'bridge');
      await ip('addr', 'add', `${lab.hostAddress}/24`, 'dev', lab.bridge);
      await ip('link', 'set', lab.bridge, 'up');
      for (const id of nodeIds) {
        const ns = lab.namespace(id);
        await ip('netns', 'add', ns);
        await ip('link', 'add', lab.#veth(id), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
        await ip('link', 'set', lab.#veth(id), 'master', lab.bridge, 'up');
        await ip('-n', ns, 'addr', 'add', `${lab.address(id)}/24`, 'dev', 'eth0');
        await ip('-n', ns, 'link', 'set', 'eth0', 'up');
        await ip('-n', ns, 'link', 'set', 'lo', 'up');
      }
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  get bridge(): string {
    return `rcb${this.tag}`;
  }

  /** The root namespace's address on the bridge: where clients' packets come from. */
  get hostAddress(): string {
    return `${this.subnet}.254`;
  }

  namespace(id: number): string {
    return `rill-${this.tag}-${id}`;
  }

  address(id: number): string {
    return `${this.subnet}.${id}`;
  }

  /** The command prefix that runs a program inside node `id`'s namespace (it execs in place). */
  launcher(id: number): string[] {
    return ['ip', 'netns', 'exec', this.namespace(id)];
  }

  /** Drops every packet node `from` sends to node `to` (or to the clients' host, 'host'). */
  async block(from: number, to: number | 'host'): Promise<void> {
    const key = `${from}>${to}`;
    if (this.#blocked.has(key)) return;
    this.#blocked.add(key);
    await ip('-n', this.namespace(from), 'route', 'add', 'blackhole', `${this.#target(to)}/32`);
  }

  async unblock(from: number, to: number | 'host'): Promise<void> {
    const key = `${from}>${to}`;
    if (!this.#blocked.delete(key)) return;
    await ip('-n', this.namespace(from), 'route', 'del', 'blackhole', `${this.#target(to)}/32`);
  }

  /** The links blocked now, as `from>to`. */
  blocked(): string[] {
    return [...this.#blocked];
  }

  async heal(): Promise<void> {
    for (const key of [...this.#blocked]) {
      const [from, to] = key.split('>') as [string, string];
      await this.unblock(Number(from), to === 'host' ? 'host' : Number(to));
    }
  }

  async destroy(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of this.#nodes) await ip('netns', 'del', this.namespace(id)).catch(() => undefined);
    await ip('link', 'del', this.bridge).catch(() => undefined);
  }

  #veth(id: number): string {
    return `rcv${this.tag}${id}`;
  }

  #target(to: number | 'host'): string {
    return to === 'host' ? this.hostAddress : this.address(to);
  }
}

async function ip(...args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || (error as Error).message}`);
  }
}

/** A 10.213.x.0/24 no interface on this machine uses yet. */
async function freeSubnet(): Promise<string> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show']);
  for (let attempt = 0; attempt < 50; attempt++) {
    const subnet = `10.213.${1 + Math.floor(Math.random() * 250)}`;
    if (!stdout.includes(` ${subnet}.`)) return subnet;
  }
  throw new Error('no free 10.213.x.0/24 subnet');
}
