import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { propertyDefinitions, renderConfigurationReference } from '@rill/broker';

const page = new URL('../../docs/configuration.md', import.meta.url);

describe('docs/configuration.md', () => {
  it('is what scripts/config-docs.mjs generates from the property table (run it after changing definitions.ts)', () => {
    const current = readFileSync(page, 'utf8');
    const stale = current !== renderConfigurationReference();
    expect(stale ? 'stale: run `npx tsc -b && node scripts/config-docs.mjs`' : 'current').toBe('current');
  });

  it('lists every property rill-server honours', () => {
    const current = readFileSync(page, 'utf8');
    for (const { name } of propertyDefinitions) expect(current).toContain(`| \`${name}\` |`);
  });
});
