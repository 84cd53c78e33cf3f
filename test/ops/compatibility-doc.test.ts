import { describe, expect, it } from 'vitest';
import { buildHandlerRegistry } from '@rill/broker';
import { readRepoFile } from './compose.js';

describe('docs/compatibility.md', () => {
  it('lists exactly the APIs and versions the handler registry serves (add a row when you add a handler)', () => {
    const registry = buildHandlerRegistry();
    const served = registry.advertised().map((range) => {
      const handler = registry.get(range.apiKey)!;
      return `${range.apiKey} ${handler.schema.name} ${range.minVersion}–${range.maxVersion} ${handler.minVersion}–${handler.maxVersion}`;
    });
    const page = readRepoFile('docs/compatibility.md');
    const table = page.slice(page.indexOf('## APIs and versions'), page.indexOf('\n## ', page.indexOf('## APIs and versions') + 1));
    const documented = [...table.matchAll(/^\| (\d+) \| (\w+) \| (\d+–\d+) \| (\d+–\d+) \|/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`);
    expect(documented).toEqual(served);
  });
});
