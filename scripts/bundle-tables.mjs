#!/usr/bin/env node
// Bundles @quarry/tables' entry (dist/index.js, ~100 small modules) into one file, dist/index.bundle.js, which the
// package's "." export points to. A one-shot `quarryi` loads every table definition at start; one module instead of
// a hundred cuts that from ~60-150 ms to ~20 ms (bench/sql/oneshot.ts). Packages stay external, and so does the
// yara folder: its worker threads are started from files next to their modules (new URL('./x.js', import.meta.url)).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../packages/tables/dist/', import.meta.url));
const keepYaraExternal = {
  name: 'keep-yara-external',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/yara\/index\.js$/ }, () => ({ path: './yara/index.js', external: true }));
  },
};
await build({
  entryPoints: [`${dist}index.js`],
  outfile: `${dist}index.bundle.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  plugins: [keepYaraExternal],
  logLevel: 'warning',
});
