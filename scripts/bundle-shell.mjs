#!/usr/bin/env node
// Bundles what bin/quarryi.js loads into packages/shell/dist/bundle/: the shell's entry and every workspace module
// it can reach (sql, config, events, tables, buffers, publishers, subscribers, node-audit) as esbuild chunks, so a
// one-shot run loads a handful of files instead of ~200 ESM modules (bench/sql/oneshot.ts: 3.1x -> 2.8x node -e 0).
// Dynamic imports stay dynamic (code splitting): a one-shot run never loads lmdb, koffi or the publishers.
//
// Rules that keep the bundle equivalent to the unbundled packages:
// - Third-party packages stay external (native addons, wasm, files next to their modules).
// - Every workspace module is inlined exactly once, so classes are shared and `instanceof` holds. @quarry/tables
//   resolves to its unbundled dist/index.js (its own index.bundle.js is for quarryd) and the yara folder is inlined.
// - Worker threads and the restore-guard process are started from `new URL('./<name>.js', import.meta.url)`: each
//   such script is an entry point of its own, written flat into the bundle folder under the same name, so the URL
//   resolves from any chunk.
// - SQLite's runtime is an entry point too: bin/quarryi.js starts loading the wasm through it before the shell loads,
//   and the shell's chunks share that same module instance.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const outdir = `${root}packages/shell/dist/bundle`;
const WORKSPACE = /^(@quarry\/|node-audit(\/|$))/;

const entryPoints = {
  main: `${root}packages/shell/dist/main.js`,
  'sqlite-runtime': `${root}packages/sql/dist/sqlite-runtime.js`,
  'engine-worker': `${root}packages/shell/dist/engine-worker.js`,
  'table-scan-worker': `${root}packages/tables/dist/yara/table-scan-worker.js`,
  'scan-worker': `${root}packages/tables/dist/yara/scan-worker.js`,
  'sync-http-worker': `${root}packages/tables/dist/remote/sync-http-worker.js`,
  'reader-worker': `${root}packages/node-audit/dist/reader-worker.js`,
  'restore-guard-process': `${root}packages/node-audit/dist/restore-guard-process.js`,
  'inotify-reader-worker': `${root}publishers/dist/file/inotify-reader-worker.js`,
  'file-inspector-worker': `${root}subscribers/dist/file-events/file-inspector-worker.js`,
};

const workspaceOnly = {
  name: 'workspace-only',
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point' || args.path.startsWith('.') || args.path.startsWith('/')) return undefined;
      if (args.path === '@quarry/tables') return { path: `${root}packages/tables/dist/index.js` };
      if (WORKSPACE.test(args.path)) return undefined; // resolved through node_modules' workspace links, inlined
      return { external: true };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints,
  outdir,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [workspaceOnly],
  metafile: true,
  logLevel: 'warning',
});

// The tables' own bundle inlines @quarry/sql a second time: reaching it would give two copies of every class.
const tablesBundle = Object.keys(result.metafile.inputs).find((input) => input.endsWith('index.bundle.js'));
if (tablesBundle !== undefined) throw new Error(`bundle-shell: ${tablesBundle} must not be part of the shell's bundle`);
