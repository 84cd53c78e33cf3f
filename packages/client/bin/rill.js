#!/usr/bin/env node
// A committed shim, so that `pnpm exec rill` exists right after install; the CLI itself is
// the compiled TypeScript in dist/.
import { main } from '../dist/cli/main.js';

await main(process.argv.slice(2));
