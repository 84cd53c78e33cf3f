import type { ConfigEntries, ConfigsImage } from './image.js';
import type { ConfigRecord, ConfigResourceType } from './records.js';

/** Config keys set or deleted since `image`, per resource; untouched resources are reused. */
export class ConfigsDelta {
  /** Per resource type and name: key → new value, or null once deleted. */
  readonly #changed: Record<ConfigResourceType, Map<string, Map<string, string | null>>> = {
    topic: new Map(),
    broker: new Map(),
  };
  /** Resources whose every key goes (a topic that was removed), before any later sets. */
  readonly #cleared: Record<ConfigResourceType, Set<string>> = {
    topic: new Set(),
    broker: new Set(),
  };

  constructor(readonly image: ConfigsImage) {}

  replay(record: ConfigRecord): void {
    const changes = this.#changesOf(record.resourceType, record.resourceName);
    changes.set(record.key, record.value);
  }

  /** Forgets every key of a resource: a removed topic's overrides must not outlive it. */
  clear(resourceType: ConfigResourceType, resourceName: string): void {
    this.#cleared[resourceType].add(resourceName);
    this.#changed[resourceType].delete(resourceName);
  }

  apply(): ConfigsImage {
    return { topic: this.#applyType('topic'), broker: this.#applyType('broker') };
  }

  #changesOf(resourceType: ConfigResourceType, resourceName: string): Map<string, string | null> {
    const byName = this.#changed[resourceType];
    let changes = byName.get(resourceName);
    if (changes === undefined) {
      changes = new Map();
      byName.set(resourceName, changes);
    }
    return changes;
  }

  #applyType(resourceType: ConfigResourceType): ReadonlyMap<string, ConfigEntries> {
    const cleared = this.#cleared[resourceType];
    const changed = this.#changed[resourceType];
    if (cleared.size === 0 && changed.size === 0) return this.image[resourceType];
    const resources = new Map(this.image[resourceType]);
    for (const name of cleared) resources.delete(name);
    for (const [name, changes] of changed) {
      const entries = new Map(resources.get(name));
      for (const [key, value] of changes) {
        if (value === null) entries.delete(key);
        else entries.set(key, value);
      }
      if (entries.size === 0) resources.delete(name);
      else resources.set(name, entries);
    }
    return resources;
  }
}
