#!/usr/bin/env node
// quarryi: Quarry's osqueryi-compatible shell. The code lives in @quarry/shell (packages/shell, built to dist/);
// this runs its esbuild bundle, dist/bundle/ (scripts/bundle-shell.mjs), which `npm run build` writes.
import { setFlagsFromString } from 'node:v8';

// A one-shot run (a positional query or piped stdin) compiles SQLite's wasm lazily and with the baseline compiler
// only: start-up is what a one-shot run pays for, and optimising all of SQLite in the background competes for the
// CPU with the query itself. The interactive shell keeps V8's defaults (its engine thread lives long).
const positional = process.argv.slice(2).some((arg) => !arg.startsWith('-'));
if (process.env.QUARRYI_WASM_DEFAULTS !== '1' && (positional || !process.stdin.isTTY)) {
  setFlagsFromString('--wasm-lazy-compilation');
  setFlagsFromString('--liftoff-only');
  // Start loading SQLite's wasm now, so reading and compiling it overlaps with loading the tables and flags.
  if (process.env.QUARRYI_NO_PRELOAD !== '1') {
    import('@quarry/shell/bundle/sqlite-runtime').then((runtime) => runtime.loadSqlite()).catch(() => {});
  }
}

const { main } = await import('@quarry/shell/bundle/main');
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`Error: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
