import { spawn } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy, type LinkVerdict } from './fault-proxy.js';
import { ownerOfPeer } from './socket-owner.js';
import { waitFor } from './wait-for.js';

/** An echo server: what a client sends comes back, so both directions of a link are visible. */
async function echoServer(): Promise<{ server: Server; port: number; received: () => string }> {
  let received = '';
  const server = createServer((socket) => {
    socket.on('data', (chunk) => {
      received += chunk.toString();
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as { port: number }).port, received: () => received };
}

function client(port: number): Promise<{ socket: Socket; got: () => string; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let got = '';
    let closed = false;
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve({ socket, got: () => got, closed: () => closed }));
    socket.on('data', (chunk) => (got += chunk.toString()));
    socket.on('close', () => (closed = true));
    socket.on('error', reject);
  });
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('FaultProxy', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(policy?: (from: string | null, to: string | null) => LinkVerdict) {
    const echo = await echoServer();
    cleanups.push(() => new Promise<void>((resolve) => echo.server.close(() => resolve())));
    const proxy = await FaultProxy.start({ name: 'server', target: { host: '127.0.0.1', port: echo.port }, identify: () => 'client', ...(policy ? { policy } : {}) });
    cleanups.push(() => proxy.close());
    return { echo, proxy };
  }

  it('forwards both ways', async () => {
    const { proxy } = await setUp();
    const c = await client(proxy.port);
    cleanups.push(() => void c.socket.destroy());
    c.socket.write('hello');
    await waitFor(() => c.got() === 'hello', { timeoutMs: 2000, description: 'the echo' });
    expect(proxy.stats.connections).toBe(1);
  });

  it('holds one direction during a partition and delivers it, in order, after the heal', async () => {
    const blocked = new Set<string>();
    const { echo, proxy } = await setUp((from, to) => (blocked.has(`${from}>${to}`) ? 'hold' : 'pass'));
    const c = await client(proxy.port);
    cleanups.push(() => void c.socket.destroy());
    blocked.add('server>client');
    proxy.reevaluate();
    c.socket.write('one');
    await waitFor(() => echo.received() === 'one', { timeoutMs: 2000, description: 'the request to pass' });
    await pause(100);
    expect(c.got()).toBe('');
    c.socket.write('two');
    await waitFor(() => echo.received() === 'onetwo', { timeoutMs: 2000, description: 'the second request' });
    blocked.clear();
    proxy.reevaluate();
    await waitFor(() => c.got() === 'onetwo', { timeoutMs: 2000, description: 'the held answers' });
  });

  it('resets connections, and cuts one right after its request went through', async () => {
    let verdict: LinkVerdict = 'pass';
    const { echo, proxy } = await setUp(() => verdict);
    const first = await client(proxy.port);
    proxy.cutAfterNextRequests(1);
    first.socket.write('request');
    await waitFor(() => first.closed(), { timeoutMs: 2000, description: 'the cut' });
    expect(echo.received()).toBe('request');
    expect(proxy.stats.cuts).toBe(1);

    const second = await client(proxy.port);
    second.socket.write('x');
    await waitFor(() => second.got() === 'x', { timeoutMs: 2000, description: 'a later connection to pass' });
    verdict = 'reset';
    proxy.reevaluate();
    await waitFor(() => second.closed(), { timeoutMs: 2000, description: 'the reset' });
  });
});

describe('ownerOfPeer', () => {
  it('names the process at the far end of a loopback connection', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const port = (server.address() as { port: number }).port;
    const child = spawn(process.execPath, ['-e', `require('net').connect(${port}, '127.0.0.1'); setTimeout(() => {}, 10000)`]);
    try {
      const socket = await accepted;
      expect(await ownerOfPeer(socket, [process.pid, child.pid!])).toBe(child.pid);
      socket.destroy();
    } finally {
      child.kill();
      server.close();
    }
  });
});
