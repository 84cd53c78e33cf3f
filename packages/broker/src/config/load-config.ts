import { readFileSync } from 'node:fs';
import { BrokerConfig, definitionOf, parseValue, type ConfigSource, type ConfigValue } from './broker-config.js';
import { ConfigError } from './config-error.js';
import { propertyDefinitions } from './definitions.js';
import { kafkaEnvProperties } from './kafka-env.js';
import { parseProperties } from './properties-file.js';
import { validateConfig } from './validate-config.js';

export interface ConfigInputs {
  /** Contents of the --config file, if one was given, with its path for messages. */
  readonly file?: { readonly path: string; readonly text: string };
  /**
   * The process environment; RILL_NODE_ID sets node.id (dots become underscores). The
   * spellings of Kafka's Docker images (KAFKA_NODE_ID, KAFKA_CFG_NODE_ID) work too, below
   * RILL_* in precedence.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Told about each KAFKA_* variable that names no property of ours: that namespace is
   * shared with Kafka's own tools (KAFKA_HOME) and settings Rill has no use for, so such a
   * variable is skipped, not an error. RILL_* names are ours, and an unknown one is an error.
   */
  readonly onIgnoredEnv?: (variable: string, key: string) => void;
  /** --set key=value flags, in order. */
  readonly flags?: readonly string[];
}

const envPrefix = 'RILL_';

/** Environment variables of ours that are not broker properties (tests, CLI). */
const envNotProperties = new Set(['RILL_BROKERS', 'RILL_SEED', 'RILL_LOG_LEVEL']);

/**
 * Builds the configuration from defaults, then the file, then KAFKA_* variables, then RILL_*
 * variables, then --set flags: each later source overrides the earlier. Any unknown key (but
 * a KAFKA_* one) or bad value is an error that names it.
 */
export function loadConfig(inputs: ConfigInputs): BrokerConfig {
  const raw = new Map<string, { value: string; source: ConfigSource; origin: string }>();
  if (inputs.file) {
    for (const [key, value] of parseProperties(inputs.file.text)) {
      requireKnown(key, `config file ${inputs.file.path}`);
      raw.set(key, { value, source: 'file', origin: inputs.file.path });
    }
  }
  for (const { key, value, origin } of kafkaEnvProperties(inputs.env ?? {})) {
    if (definitionOf(key) === undefined) {
      inputs.onIgnoredEnv?.(origin, key);
      continue;
    }
    raw.set(key, { value, source: 'env', origin });
  }
  for (const [name, value] of Object.entries(inputs.env ?? {})) {
    if (!name.startsWith(envPrefix) || value === undefined || envNotProperties.has(name)) continue;
    const key = name.slice(envPrefix.length).toLowerCase().replaceAll('_', '.');
    requireKnown(key, `environment variable ${name}`);
    raw.set(key, { value, source: 'env', origin: name });
  }
  for (const flag of inputs.flags ?? []) {
    const separator = flag.indexOf('=');
    if (separator <= 0) throw new ConfigError(`--set ${flag}: expected key=value`);
    const key = flag.slice(0, separator).trim();
    requireKnown(key, `--set ${flag}`);
    raw.set(key, { value: flag.slice(separator + 1), source: 'flag', origin: '--set' });
  }
  return resolve(raw);
}

export function loadConfigFile(path: string): { path: string; text: string } {
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
}

function requireKnown(key: string, origin: string): void {
  if (definitionOf(key) === undefined) {
    throw new ConfigError(`unknown property '${key}' (from ${origin}); see docs/configuration.md for the list`);
  }
}

function resolve(raw: Map<string, { value: string; source: ConfigSource; origin: string }>): BrokerConfig {
  const values = new Map<string, ConfigValue>();
  const sources = new Map<string, ConfigSource>();
  for (const definition of propertyDefinitions) {
    const given = raw.get(definition.name);
    if (given !== undefined) {
      values.set(definition.name, parseValue(definition, given.value, given.origin));
      sources.set(definition.name, given.source);
    } else {
      values.set(definition.name, definition.default === null ? null : parseValue(definition, definition.default, 'default'));
    }
  }
  const config = new BrokerConfig(values, sources);
  validateConfig(config);
  return config;
}
