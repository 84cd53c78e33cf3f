#!/usr/bin/env node
// A committed shim, so that `pnpm exec rill-server` exists right after install; the
// server itself is the compiled TypeScript in dist/.
import { main } from '../dist/cli/rill-server.js';

main(process.argv.slice(2));
