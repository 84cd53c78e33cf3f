import { InvalidArgumentError } from '../errors.js';
import { bootstrapBrokersMax } from '../limits.js';

export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

const DEFAULT_PORT = 9092;

/** Parses `host:port`, `host` (port 9092) or `[v6]:port`; an optional `PLAINTEXT://` is dropped. */
export function parseBrokerAddress(text: string): BrokerAddress {
  const trimmed = text.trim().replace(/^[A-Za-z_]+:\/\//, '');
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(trimmed);
  const match = bracketed ?? plain;
  if (match === null || match[1] === '') {
    throw new InvalidArgumentError(`broker address "${text}" is not host:port`);
  }
  const port = match[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`broker address "${text}" has no valid port (1-65535)`);
  }
  return { host: match[1]!, port };
}

/** Parses a list of addresses, each entry possibly comma-separated (`a:1,b:2`). */
export function parseBrokerList(entries: readonly string[]): BrokerAddress[] {
  const parts = entries.flatMap((entry) => entry.split(',')).filter((part) => part.trim() !== '');
  if (parts.length === 0)
    throw new InvalidArgumentError('no broker addresses given: pass at least one host:port');
  if (parts.length > bootstrapBrokersMax) {
    throw new InvalidArgumentError(
      `${parts.length} broker addresses given; at most ${bootstrapBrokersMax} are accepted`,
    );
  }
  return parts.map(parseBrokerAddress);
}

export function formatAddress(address: BrokerAddress): string {
  return address.host.includes(':')
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}
