import { ConfigError } from './config-error.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface ListenerAddress extends HostPort {
  readonly name: string;
}

export interface Voter extends HostPort {
  readonly id: number;
}

/** `host:port`, `[v6]:port` or `:port` (all interfaces). */
export function parseHostPort(text: string, what: string): HostPort {
  const match = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(text.trim());
  if (!match) throw new ConfigError(`${what}: '${text}' is not host:port`);
  const port = Number(match[2]);
  if (port > 65535) throw new ConfigError(`${what}: port ${port} is out of range`);
  const host = match[1]!.replace(/^\[|\]$/g, '');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** Kafka's listener form, `NAME://host:port`. */
export function parseListener(text: string, what: string): ListenerAddress {
  const match = /^([A-Za-z0-9_]+):\/\/(.*)$/.exec(text.trim());
  if (!match) throw new ConfigError(`${what}: '${text}' is not NAME://host:port (e.g. PLAINTEXT://0.0.0.0:9092)`);
  return { name: match[1]!.toUpperCase(), ...parseHostPort(match[2]!, what) };
}

/** One entry of controller.quorum.voters, `id@host:port`. */
export function parseVoter(text: string): Voter {
  const match = /^(\d+)@(.+)$/.exec(text.trim());
  if (!match) throw new ConfigError(`controller.quorum.voters: '${text}' is not id@host:port`);
  return { id: Number(match[1]), ...parseHostPort(match[2]!, 'controller.quorum.voters') };
}

export function formatHostPort(address: HostPort): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
