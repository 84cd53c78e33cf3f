import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * What happens to bytes flowing one way over a link: forwarded, held back (a partition: the
 * sender's data waits, as TCP's would while packets are dropped, and flows again on heal),
 * or the connection is reset.
 */
export type LinkVerdict = 'pass' | 'hold' | 'reset';

/** The fate of bytes going `from` → `to` (labels; null for an end the proxy cannot name). */
export type LinkPolicy = (from: string | null, to: string | null) => LinkVerdict;

export interface FaultProxyOptions {
  /** Where accepted connections are forwarded. */
  readonly target: { readonly host: string; readonly port: number };
  /** The label of the target side, as the policy sees it. */
  readonly name: string;
  /** Listen address; 127.0.0.1 unless set. */
  readonly host?: string;
  /** Listen port; any free one unless set. */
  readonly port?: number;
  /** Names whoever connected (e.g. the node that owns the far socket); null when unknown. */
  readonly identify?: (socket: Socket) => Promise<string | null> | string | null;
  /** Asked for every chunk in both directions; everything passes unless set. */
  readonly policy?: LinkPolicy;
}

interface Flow {
  readonly from: Socket;
  readonly to: Socket;
  readonly fromLabel: string | null;
  readonly toLabel: string | null;
  readonly held: Buffer[];
  /** Client → target: the direction requests travel. */
  readonly request: boolean;
}

interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly flows: readonly [Flow, Flow];
}

/**
 * A TCP proxy that injects network faults between two endpoints on one machine, without
 * privileges: partitions (one-way or both ways, by holding bytes), connection resets, and
 * connections cut right after a request went through (the answer is lost, the request may
 * have taken effect: an indefinite outcome for the client).
 */
export class FaultProxy {
  readonly name: string;
  readonly #options: FaultProxyOptions;
  readonly #server: Server;
  readonly #links = new Set<Link>();
  #policy: LinkPolicy;
  #cutsLeft = 0;
  #cutsDone = 0;
  #connections = 0;

  private constructor(options: FaultProxyOptions, server: Server) {
    this.name = options.name;
    this.#options = options;
    this.#server = server;
    this.#policy = options.policy ?? (() => 'pass');
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer({ noDelay: true, pauseOnConnect: true });
    const proxy = new FaultProxy(options, server);
    server.on('connection', (socket) => void proxy.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get host(): string {
    return this.#options.host ?? '127.0.0.1';
  }

  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy is not listening');
    return address.port;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Connections accepted so far, and connections cut after a request. */
  get stats(): { connections: number; cuts: number; open: number } {
    return { connections: this.#connections, cuts: this.#cutsDone, open: this.#links.size };
  }

  /** Replaces the policy and applies it at once: held bytes flow again, or connections reset. */
  setPolicy(policy: LinkPolicy): void {
    this.#policy = policy;
    this.reevaluate();
  }

  /** Applies the current policy to every open connection (call after the policy's inputs changed). */
  reevaluate(): void {
    for (const link of [...this.#links]) {
      for (const flow of link.flows) {
        const verdict = this.#policy(flow.fromLabel, flow.toLabel);
        if (verdict === 'reset') {
          this.#reset(link);
          break;
        }
        if (verdict === 'pass' && flow.held.length > 0) this.#release(flow);
      }
    }
  }

  /**
   * The next `count` chunks sent from a client toward the target are forwarded, and their
   * connection is then reset before any answer can come back.
   */
  cutAfterNextRequests(count: number): void {
    this.#cutsLeft = count;
  }

  /** Resets every open connection now. */
  resetAll(): void {
    for (const link of [...this.#links]) this.#reset(link);
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #accept(client: Socket): Promise<void> {
    this.#connections++;
    client.on('error', () => undefined);
    let label: string | null = null;
    try {
      label = (await this.#options.identify?.(client)) ?? null;
    } catch {
      label = null;
    }
    if (client.destroyed) return;
    const upstream = connect({ host: this.#options.target.host, port: this.#options.target.port, noDelay: true });
    upstream.on('error', () => undefined);
    upstream.pause();
    const link: Link = {
      client,
      upstream,
      flows: [
        { from: client, to: upstream, fromLabel: label, toLabel: this.name, held: [], request: true },
        { from: upstream, to: client, fromLabel: this.name, toLabel: label, held: [], request: false },
      ],
    };
    this.#links.add(link);
    const end = (): void => {
      if (!this.#links.delete(link)) return;
      client.destroy();
      upstream.destroy();
    };
    client.once('close', end);
    upstream.once('close', end);
    for (const flow of link.flows) {
      flow.from.on('data', (chunk: Buffer) => this.#onData(link, flow, chunk));
      flow.from.on('end', () => flow.to.end());
    }
    if (this.#policy(label, this.name) === 'reset') {
      this.#reset(link);
      return;
    }
    upstream.once('connect', () => {
      client.resume();
      upstream.resume();
    });
  }

  #onData(link: Link, flow: Flow, chunk: Buffer): void {
    if (flow.held.length > 0) {
      flow.held.push(chunk);
      return;
    }
    const verdict = this.#policy(flow.fromLabel, flow.toLabel);
    if (verdict === 'reset') {
      this.#reset(link);
      return;
    }
    if (verdict === 'hold') {
      flow.held.push(chunk);
      flow.from.pause();
      return;
    }
    this.#forward(flow, chunk);
    if (flow.request && this.#cutsLeft > 0) {
      this.#cutsLeft--;
      this.#cutsDone++;
      // Let the request leave first, then cut both sides before the answer can come back.
      setImmediate(() => this.#reset(link));
    }
  }

  #forward(flow: Flow, chunk: Buffer): void {
    if (!flow.to.write(chunk)) {
      flow.from.pause();
      flow.to.once('drain', () => {
        if (flow.held.length === 0) flow.from.resume();
      });
    }
  }

  #release(flow: Flow): void {
    const held = flow.held.splice(0);
    for (const chunk of held) this.#forward(flow, chunk);
    if (flow.to.writableNeedDrain) return;
    flow.from.resume();
  }

  #reset(link: Link): void {
    this.#links.delete(link);
    link.client.resetAndDestroy();
    link.upstream.resetAndDestroy();
  }
}
