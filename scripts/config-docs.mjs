#!/usr/bin/env node
// Writes docs/configuration.md from the broker's property table
// (packages/broker/src/config/definitions.ts, through the built @rill/broker), so the
// reference cannot drift from what rill-server accepts. `--check` only reports whether the
// page is current (exit 1 if not). Build first: `npx tsc -b` (npm start and npm test do).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderConfigurationReference } from '@rill/broker';

const page = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'configuration.md');
const wanted = renderConfigurationReference();
let current = null;
try {
  current = readFileSync(page, 'utf8');
} catch {
  // not written yet
}
if (process.argv.includes('--check')) {
  if (current !== wanted) {
    console.error('docs/configuration.md is stale: run node scripts/config-docs.mjs');
    process.exit(1);
  }
  console.log('docs/configuration.md is current');
} else if (current === wanted) {
  console.log('docs/configuration.md is already current');
} else {
  writeFileSync(page, wanted);
  console.log('wrote docs/configuration.md');
}
