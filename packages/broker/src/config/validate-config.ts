import type { BrokerConfig } from './broker-config.js';
import { ConfigError } from './config-error.js';
import { parseHostPort, parseListener, parseVoter } from './addresses.js';

/** Checks the relations between properties that no single value can show. */
export function validateConfig(config: BrokerConfig): void {
  const protocols = securityProtocols(config);
  const listeners = config.list('listeners').map((l) => parseListener(l, 'listeners'));
  if (listeners.length === 0) throw new ConfigError('listeners: at least one Kafka listener is required');
  for (const listener of listeners) {
    const protocol = protocols.get(listener.name);
    if (protocol === undefined) {
      throw new ConfigError(`listeners: ${listener.name} has no entry in listener.security.protocol.map`);
    }
    if (protocol !== 'PLAINTEXT') {
      throw new ConfigError(`listeners: ${listener.name} uses ${protocol}; only PLAINTEXT is supported so far`);
    }
  }
  const names = new Set(listeners.map((l) => l.name));
  if (names.size !== listeners.length) throw new ConfigError('listeners: each listener name may appear once');
  for (const advertised of config.list('advertised.listeners')) {
    const parsed = parseListener(advertised, 'advertised.listeners');
    if (!names.has(parsed.name)) {
      throw new ConfigError(`advertised.listeners: ${parsed.name} is not one of the listeners (${[...names].join(', ')})`);
    }
  }
  parseHostPort(config.string('internal.listener'), 'internal.listener');
  parseHostPort(config.string('http.listener'), 'http.listener');
  const advertisedInternal = config.optionalString('internal.advertised.listener');
  if (advertisedInternal !== null) parseHostPort(advertisedInternal, 'internal.advertised.listener');
  validateQuorum(config);
  if (config.list('log.dirs').length === 0) throw new ConfigError('log.dirs: at least one directory is required');
}

function securityProtocols(config: BrokerConfig): Map<string, string> {
  const protocols = new Map<string, string>();
  for (const pair of config.list('listener.security.protocol.map')) {
    const [name, protocol] = pair.split(':');
    if (!name || !protocol) throw new ConfigError(`listener.security.protocol.map: '${pair}' is not NAME:PROTOCOL`);
    protocols.set(name.toUpperCase(), protocol.toUpperCase());
  }
  return protocols;
}

function validateQuorum(config: BrokerConfig): void {
  const voters = config.list('controller.quorum.voters').map(parseVoter);
  if (voters.length === 0) throw new ConfigError('controller.quorum.voters: at least one voter is required');
  const ids = new Set(voters.map((v) => v.id));
  if (ids.size !== voters.length) throw new ConfigError('controller.quorum.voters: a voter id appears twice');
  const roles = config.list('process.roles');
  if (roles.length === 0) throw new ConfigError('process.roles: give broker, controller, or both');
  if (roles.includes('controller') && !ids.has(config.int('node.id'))) {
    throw new ConfigError(
      `node.id=${config.int('node.id')} has the controller role but is not in controller.quorum.voters`,
    );
  }
}
