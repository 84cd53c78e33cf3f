import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '@rill/testkit';
import { readRepoFile, repoRoot, rillProfiles, rillServices, type RillService } from './compose.js';

// Each topology of docker-compose.yml, run as plain rill-server processes on 127.0.0.1 as the
// image runs them: `--config` with the image's defaults (deploy/server.properties), and the
// compose file's environment. Only what a container gives differently is changed: every
// host:port becomes 127.0.0.1 (or localhost, which stays) with a free port per node and
// container port, and log.dirs a temporary directory.

const run = promisify(execFile);
const serverBin = `${repoRoot}packages/broker/bin/rill-server.js`;
/** host:port in a listener, voter or address value; the host may be empty (`PLAINTEXT://:9092`). */
const address = /(^|[/@,])([A-Za-z0-9_.-]*):(\d+)/g;

interface Node {
  readonly service: RillService;
  readonly env: Record<string, string>;
  /** Container port → the port this process uses instead. */
  readonly ports: Map<number, number>;
  /** Holds data/ (log.dirs) and server.properties (the image's defaults, remapped). */
  readonly workDir: string;
  child: ChildProcess | null;
  output: string;
}

async function kcat(args: string[], input?: string): Promise<string> {
  if (input === undefined) return (await run('kcat', args, { timeout: 30_000 })).stdout;
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`kcat exited ${code}: ${stderr}`))));
    child.stdin.end(input);
  });
}

interface KcatMetadata {
  brokers: { id: number; name: string }[];
  topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[];
}

/** The compose environment of every node, with hosts, ports and log.dirs moved onto this machine. */
async function localNodes(services: RillService[]): Promise<Node[]> {
  const taken = new Set<number>();
  const nodes: Node[] = [];
  for (const service of services) {
    nodes.push({ service, env: {}, ports: new Map(), workDir: await mkdtemp(join(tmpdir(), `rill-compose-${service.name}-`)), child: null, output: '' });
  }
  const owner = (host: string, self: Node): Node => nodes.find((n) => n.service.hostname === host) ?? self;
  const imageDefaults = readRepoFile('deploy/server.properties');
  for (const node of nodes) {
    for (const value of [...Object.values(node.service.env), imageDefaults]) {
      for (const [, , host, port] of value.matchAll(address)) {
        const target = owner(host!, node);
        if (target.ports.has(Number(port))) continue;
        let local = await freePort();
        while (taken.has(local)) local = await freePort();
        taken.add(local);
        target.ports.set(Number(port), local);
      }
    }
  }
  for (const node of nodes) {
    const remap = (value: string): string =>
      value.replace(address, (_, before: string, host: string, port: string) => {
        const local = owner(host, node).ports.get(Number(port))!;
        return `${before}${host === 'localhost' ? 'localhost' : '127.0.0.1'}:${local}`;
      });
    const dataDir = join(node.workDir, 'data');
    for (const [name, value] of Object.entries(node.service.env)) node.env[name] = /LOG_DIRS$/.test(name) ? dataDir : remap(value);
    const defaults = imageDefaults.split('\n').map((line) => (line.startsWith('log.dirs=') ? `log.dirs=${dataDir}` : remap(line)));
    await writeFile(join(node.workDir, 'server.properties'), defaults.join('\n'));
  }
  return nodes;
}

function start(node: Node): void {
  const child = spawn(process.execPath, [serverBin, '--config', join(node.workDir, 'server.properties')], {
    env: { PATH: process.env['PATH'] ?? '', RILL_LOG_LEVEL: 'warn', ...node.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const remember = (chunk: Buffer): void => {
    node.output = (node.output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);
  node.child = child;
}

/** Kills the process (a clean stop is tested elsewhere; here it would only wait for quorums) and deletes its data. */
async function destroy(node: Node): Promise<void> {
  const child = node.child;
  if (child !== null && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  await rm(node.workDir, { recursive: true, force: true });
}

/** A container port of the node: its Kafka listener `name`, or its internal or http port. */
function localPort(node: Node, containerPort: number): number {
  return node.ports.get(containerPort)!;
}

function listenerPort(node: Node, listener: string): number {
  const listeners = node.service.env['RILL_LISTENERS'] ?? node.service.env['KAFKA_LISTENERS']!;
  const entry = listeners.split(',').find((l) => l.startsWith(`${listener}://`))!;
  return localPort(node, Number(entry.slice(entry.lastIndexOf(':') + 1)));
}

function httpPort(node: Node): number {
  const http = node.service.env['RILL_HTTP_LISTENER']!;
  return localPort(node, Number(http.slice(http.lastIndexOf(':') + 1)));
}

function roles(node: Node): string {
  return node.service.env['RILL_PROCESS_ROLES'] ?? node.service.env['KAFKA_PROCESS_ROLES']!;
}

function nodeId(node: Node): number {
  return Number(node.service.env['RILL_NODE_ID'] ?? node.service.env['KAFKA_NODE_ID']);
}

describe.each(rillProfiles())('the %s topology of docker-compose.yml as plain processes', (profile) => {
  let nodes: Node[] = [];
  let brokers: Node[] = [];

  beforeAll(async () => {
    nodes = await localNodes(rillServices().filter((s) => s.profile === profile));
    brokers = nodes.filter((n) => roles(n).includes('broker'));
    for (const node of nodes) start(node);
    try {
      await Promise.all(
        nodes.map((node) =>
          waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort(node)}/readyz`).catch(() => null))?.status === 200, {
            timeoutMs: 30_000, description: `${node.service.name} to become ready`,
          }),
        ),
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${nodes.map((n) => `--- ${n.service.name} ---\n${n.output}`).join('\n')}`);
    }
  });

  afterAll(async () => {
    await Promise.all(nodes.map(destroy));
  });

  it('elects one active controller among the controller nodes', async () => {
    const active = await waitFor(async () => {
      const found: string[] = [];
      for (const node of nodes) {
        const page = await (await fetch(`http://127.0.0.1:${httpPort(node)}/metrics`)).text();
        if (/^rill_controller_active 1$/m.test(page)) found.push(node.service.name);
      }
      return found.length === 1 ? found : null;
    }, { timeoutMs: 15_000, description: 'exactly one active controller' });
    expect(roles(nodes.find((n) => n.service.name === active[0])!)).toContain('controller');
  });

  it('shows every broker, by service name, to clients of the inside listener', async () => {
    const metadata = await waitFor(async () => {
      const parsed = JSON.parse(await kcat(['-b', `127.0.0.1:${listenerPort(brokers[0]!, 'PLAINTEXT')}`, '-L', '-J'])) as KcatMetadata;
      return parsed.brokers.length === brokers.length ? parsed : null;
    }, { timeoutMs: 15_000, description: `${brokers.length} brokers in the metadata` });
    const expected = brokers.map((b) => ({ id: nodeId(b), name: `127.0.0.1:${listenerPort(b, 'PLAINTEXT')}` }));
    expect([...metadata.brokers].sort((a, b) => a.id - b.id)).toEqual(expected);
  });

  it('shows localhost and the published ports to clients of the outside listener, and replicates over them', async () => {
    const bootstrap = `localhost:${listenerPort(brokers[1]!, 'EXTERNAL')}`;
    const metadata = JSON.parse(await kcat(['-b', bootstrap, '-L', '-J'])) as KcatMetadata;
    const expected = brokers.map((b) => ({ id: nodeId(b), name: `localhost:${listenerPort(b, 'EXTERNAL')}` }));
    expect([...metadata.brokers].sort((a, b) => a.id - b.id)).toEqual(expected);

    await kcat(['-b', bootstrap, '-P', '-t', 'compose-check', '-X', 'acks=all'], 'one\ntwo\nthree\n');
    const consumed = await kcat(['-b', bootstrap, '-C', '-t', 'compose-check', '-o', 'beginning', '-e', '-f', '%s\n']);
    expect(consumed.split('\n').filter(Boolean).sort()).toEqual(['one', 'three', 'two']);
    const topic = (JSON.parse(await kcat(['-b', bootstrap, '-L', '-J', '-t', 'compose-check'])) as KcatMetadata).topics[0]!;
    // The compose file's num.partitions=3 and default.replication.factor=3.
    expect(topic.partitions).toHaveLength(3);
    for (const partition of topic.partitions) expect(partition.replicas).toHaveLength(3);
  });
});
