import { ConfigError } from './config-error.js';
import { propertyDefinitions, type PropertyDefinition } from './definitions.js';

export type ConfigValue = number | boolean | string | readonly string[] | null;

/** A validated configuration: every defined property with its value and where it came from. */
export class BrokerConfig {
  readonly #values: ReadonlyMap<string, ConfigValue>;
  readonly #sources: ReadonlyMap<string, ConfigSource>;

  constructor(values: ReadonlyMap<string, ConfigValue>, sources: ReadonlyMap<string, ConfigSource>) {
    this.#values = values;
    this.#sources = sources;
  }

  int(name: string): number {
    return this.#typed(name, 'number') as number;
  }

  bool(name: string): boolean {
    return this.#typed(name, 'boolean') as boolean;
  }

  string(name: string): string {
    return this.#typed(name, 'string') as string;
  }

  optionalString(name: string): string | null {
    const value = this.#get(name);
    return value === null ? null : (value as string);
  }

  list(name: string): readonly string[] {
    const value = this.#get(name);
    return value === null ? [] : (value as readonly string[]);
  }

  source(name: string): ConfigSource {
    return this.#sources.get(name) ?? 'default';
  }

  entries(): IterableIterator<[string, ConfigValue]> {
    return this.#values.entries();
  }

  #get(name: string): ConfigValue {
    if (!this.#values.has(name)) throw new Error(`no such property: ${name}`);
    return this.#values.get(name)!;
  }

  #typed(name: string, type: 'number' | 'boolean' | 'string'): ConfigValue {
    const value = this.#get(name);
    if (typeof value !== type) throw new Error(`${name} is not a ${type} (it is ${String(value)})`);
    return value;
  }
}

export type ConfigSource = 'default' | 'file' | 'env' | 'flag';

const definitionsByName = new Map(propertyDefinitions.map((d) => [d.name, d]));

export function isKnownProperty(name: string): boolean {
  return definitionsByName.has(name);
}

/** Parses one raw string for a property, naming the property in any error. */
export function parseValue(definition: PropertyDefinition, raw: string, origin: string): ConfigValue {
  const fail = (why: string): never => {
    throw new ConfigError(`${definition.name}=${raw} (from ${origin}): ${why}`);
  };
  switch (definition.type) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(raw.trim())) fail('expected a whole number');
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) fail('number out of range');
      if (definition.type === 'int' && (n > 2 ** 31 - 1 || n < -(2 ** 31))) fail('expected a 32-bit integer');
      if (definition.min !== undefined && n < definition.min) fail(`must be at least ${definition.min}`);
      if (definition.max !== undefined && n > definition.max) fail(`must be at most ${definition.max}`);
      return n;
    }
    case 'boolean': {
      const lowered = raw.trim().toLowerCase();
      if (lowered !== 'true' && lowered !== 'false') fail('expected true or false');
      return lowered === 'true';
    }
    case 'string':
      if (definition.oneOf && !definition.oneOf.includes(raw)) fail(`expected one of ${definition.oneOf.join(', ')}`);
      return raw.trim();
    case 'list': {
      const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
      for (const item of items) {
        if (definition.oneOf && !definition.oneOf.includes(item)) {
          fail(`'${item}' is not one of ${definition.oneOf.join(', ')}`);
        }
      }
      return items;
    }
  }
}

export function definitionOf(name: string): PropertyDefinition | undefined {
  return definitionsByName.get(name);
}
