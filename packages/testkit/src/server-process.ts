import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

const serverBin = fileURLToPath(new URL('../../broker/bin/rill-server.js', import.meta.url));

export interface ServerProcessOptions {
  readonly nodeId?: number;
  /** controller.quorum.voters; defaults to this node alone, on its internal port. */
  readonly voters?: string;
  /** Extra properties, as Kafka property names. */
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
  /** Extra environment variables for the process. */
  readonly env?: Readonly<Record<string, string>>;
  /** Node.js flags, e.g. a heap cap that turns unbounded growth into a crash. */
  readonly nodeArgs?: readonly string[];
  readonly readyTimeoutMs?: number;
  /** The address the node listens on and is reached at: 127.0.0.1 unless set (a network namespace gives each node its own). */
  readonly host?: string;
  /** A command the node runs under, e.g. `ip netns exec <name>`; it must exec node in place, so signals reach it. */
  readonly launcher?: readonly string[];
  /** Also append everything the process prints to this file (`output` keeps only the end). */
  readonly outputFile?: string;
}

/**
 * A real rill-server process on 127.0.0.1 with its own free ports and a temporary data
 * directory. It can be killed, paused, and restarted on the same ports and data.
 */
export class ServerProcess {
  readonly nodeId: number;
  readonly kafkaPort: number;
  readonly internalPort: number;
  readonly httpPort: number;
  readonly dataDir: string;
  #options: ServerProcessOptions;
  #child: ChildProcess | null = null;
  #output: string[] = [];

  private constructor(options: ServerProcessOptions, ports: number[], dataDir: string) {
    this.#options = options;
    this.nodeId = options.nodeId ?? 1;
    [this.kafkaPort, this.internalPort, this.httpPort] = ports as [number, number, number];
    this.dataDir = dataDir;
  }

  static async start(options: ServerProcessOptions = {}): Promise<ServerProcess> {
    const server = await ServerProcess.prepare(options);
    try {
      await server.restart();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  /** Picks ports and a data directory without starting the process (clusters start nodes together). */
  static async prepare(options: ServerProcessOptions = {}): Promise<ServerProcess> {
    const ports = [await freePort(), await freePort(), await freePort()];
    const dataDir = await mkdtemp(join(tmpdir(), 'rill-test-'));
    return new ServerProcess(options, ports, dataDir);
  }

  /** Whether it serves Kafka clients (process.roles includes broker, the default). */
  get hasBrokerRole(): boolean {
    const roles = this.#options.properties?.['process.roles'];
    return roles === undefined || String(roles).includes('broker');
  }

  /** This node's entry in controller.quorum.voters. */
  get voter(): string {
    return `${this.nodeId}@${this.host}:${this.internalPort}`;
  }

  get bootstrap(): string {
    return `${this.host}:${this.kafkaPort}`;
  }

  get host(): string {
    return this.#options.host ?? '127.0.0.1';
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Everything the process printed, for failure messages. */
  get output(): string {
    return this.#output.join('');
  }

  /** Replaces options for the next restart (a cluster fills in the voters once all ports are known). */
  configure(options: Partial<ServerProcessOptions>): void {
    this.#options = { ...this.#options, ...options };
  }

  /** Starts the process (again) and waits until /readyz answers 200. */
  async restart(): Promise<void> {
    if (this.running) throw new Error(`node ${this.nodeId} is still running`);
    const [command, ...launcherArgs] = [...(this.#options.launcher ?? []), process.execPath];
    this.#child = spawn(command!, [...launcherArgs, ...(this.#options.nodeArgs ?? []), serverBin, ...this.#flags()], {
      env: { ...process.env, RILL_LOG_LEVEL: 'warn', ...this.#options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const outputFile = this.#options.outputFile;
    const remember = (chunk: Buffer): void => {
      if (outputFile !== undefined) appendFileSync(outputFile, chunk);
      this.#output.push(chunk.toString());
      if (this.#output.length > 2000) this.#output.splice(0, 1000);
    };
    this.#child.stdout!.on('data', remember);
    this.#child.stderr!.on('data', remember);
    const child = this.#child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`node ${this.nodeId} exited (${code ?? signal})`))),
    );
    exited.catch(() => undefined);
    const ready = waitFor(() => this.ready(), {
      timeoutMs: this.#options.readyTimeoutMs ?? 20_000,
      description: `node ${this.nodeId} to become ready`,
    });
    try {
      await Promise.race([ready, exited]);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- node output ---\n${this.output}`);
    }
  }

  async ready(): Promise<boolean> {
    try {
      const response = await fetch(`http://${this.host}:${this.httpPort}/readyz`);
      return response.status === 200;
    } catch {
      return false;
    }
  }

  async metrics(): Promise<string> {
    const response = await fetch(`http://${this.host}:${this.httpPort}/metrics`);
    return response.text();
  }

  /** Sends a signal and, for terminating ones, waits for the exit. Returns the exit code. */
  async signal(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.#child;
    if (child === null || !this.running) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') return null;
    return exited;
  }

  kill(): Promise<number | null> {
    return this.signal('SIGKILL');
  }

  /** Stops the process (SIGKILL if SIGTERM did not end it) and deletes its data. */
  async destroy(): Promise<void> {
    if (this.running) {
      this.#child!.kill('SIGCONT');
      const exited = this.signal('SIGTERM');
      const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000));
      if ((await Promise.race([exited, timeout])) === null && this.running) await this.kill();
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }

  #flags(): string[] {
    const properties: Record<string, string | number | boolean> = {
      'node.id': this.nodeId,
      'listeners': `PLAINTEXT://${this.host}:${this.kafkaPort}`,
      'internal.listener': `${this.host}:${this.internalPort}`,
      'http.listener': `${this.host}:${this.httpPort}`,
      'controller.quorum.voters': this.#options.voters ?? this.voter,
      'log.dirs': this.dataDir,
      ...this.#options.properties,
    };
    return Object.entries(properties).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
  }
}
