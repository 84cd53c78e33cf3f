import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources: the `rill-source` export condition of every
// workspace package points at src/index.ts. Multi-process tests spawn the built server
// (`pnpm build` runs first in `pnpm test`).
export default defineConfig({
  resolve: { conditions: ['rill-source', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['rill-source', 'module', 'node', 'default'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
