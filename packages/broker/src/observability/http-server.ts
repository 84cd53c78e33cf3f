import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HostPort } from '../config/addresses.js';
import type { NodeMetrics } from './metrics.js';

export interface HealthProbe {
  /** The process is up and its event loop turns. */
  healthy(): boolean;
  /** The node serves clients: storage recovered, listeners bound, metadata loaded. */
  ready(): boolean;
}

/** The HTTP admin listener: /metrics for Prometheus, /healthz and /readyz for orchestrators. */
export class HttpAdminServer {
  readonly #server: Server;
  readonly #address: HostPort;

  constructor(address: HostPort, metrics: NodeMetrics, probe: HealthProbe, logger: Logger) {
    this.#address = address;
    this.#server = createServer((request, response) => {
      route(request, response, metrics, probe).catch((error: unknown) => {
        logger.error({ err: error }, 'admin request failed');
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : this.#address.port;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host: this.#address.host, port: this.#address.port }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  metrics: NodeMetrics,
  probe: HealthProbe,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (path === '/metrics') {
    const body = await metrics.registry.metrics();
    response.writeHead(200, { 'content-type': metrics.registry.contentType });
    response.end(body);
  } else if (path === '/healthz') {
    answerProbe(response, probe.healthy());
  } else if (path === '/readyz') {
    answerProbe(response, probe.ready());
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found: try /metrics, /healthz or /readyz\n');
  }
}

function answerProbe(response: ServerResponse, ok: boolean): void {
  response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
  response.end(ok ? 'ok\n' : 'not ready\n');
}
