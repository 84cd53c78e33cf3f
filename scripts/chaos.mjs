#!/usr/bin/env node
// `pnpm chaos`: runs test/chaos/cli.ts outside the test suite. The chaos code is TypeScript
// that imports the workspace packages from source (their `rill-source` export condition),
// as vitest does, so it is loaded through the same Vite module loader vitest uses.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createViteServer } from 'vitest/node';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const conditions = ['rill-source', 'module', 'node', 'default'];
const server = await createViteServer({
  root,
  configFile: false,
  logLevel: 'error',
  appType: 'custom',
  server: { middlewareMode: true, hmr: false, ws: false },
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  optimizeDeps: { noDiscovery: true, include: [] },
});
let code = 1;
try {
  const cli = await server.ssrLoadModule('/test/chaos/cli.ts');
  code = await cli.main(process.argv.slice(2));
} finally {
  await server.close();
}
process.exit(code);
