import net from 'node:net';
import { once } from 'node:events';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, type ResponseFrame } from './connection.js';

const logger = pino({ level: 'silent' });
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** A server whose every connection answers each request with `respond()`; returns a connected, paused client. */
async function serve(respond: () => ResponseFrame): Promise<net.Socket> {
  const server = net.createServer((socket) => {
    new Connection({
      socket,
      context: { id: 1, listenerName: 'TEST', remoteAddress: '127.0.0.1' },
      maxFrameBytes: 1 << 20,
      idleTimeoutMs: 60_000,
      dispatch: () => respond(),
      logger,
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect({ host: '127.0.0.1', port });
  client.pause();
  await once(client, 'connect');
  cleanups.push(() => {
    client.destroy();
    server.close();
  });
  return client;
}

function requestFrame(): Buffer {
  const frame = Buffer.alloc(4 + 20);
  frame.writeInt32BE(20, 0);
  return frame;
}

describe('Connection writing a response in pieces', () => {
  it('says it is written only once the socket has taken every byte', async () => {
    const size = Buffer.alloc(4);
    const body = Buffer.alloc(32 << 20, 0x5a);
    size.writeInt32BE(body.length, 0);
    let written = false;
    const client = await serve(() => ({ pieces: [size, body], onWritten: () => (written = true) }));
    client.write(requestFrame());
    // The peer reads nothing: 32 MiB cannot all leave, so the pieces are still in use.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(written).toBe(false);
    let received = 0;
    client.on('data', (chunk: Buffer) => (received += chunk.length));
    client.resume();
    const deadline = Date.now() + 10_000;
    while (!written && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(written).toBe(true);
    while (received < 4 + body.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toBe(4 + body.length);
  });
});
