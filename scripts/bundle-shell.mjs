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
//   resolves from any chunk. The list is not written by hand (one was missed once: the udev reader, so quarryi could
//   not start hardware_events): every bundled module is searched for './<name>.js' literals in a file that uses
//   import.meta.url, each one naming an existing file next to it becomes an entry, and the build is repeated until
//   the entries reach everything they start. Two different scripts with one name fail the bundle.
// - SQLite's runtime is an entry point too: bin/quarryi.js starts loading the wasm through it before the shell loads,
//   and the shell's chunks share that same module instance.
// - The bundle is written into a folder beside the old one and swapped in, so a quarryi started during a build (tests
//   running while another build goes on) never finds it missing or half written.
import { build } from 'esbuild';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const outdir = `${root}packages/shell/dist/bundle`;
const WORKSPACE = /^(@quarry\/|node-audit(\/|$))/;

/** The entries bin/quarryi.js imports by name; the scripts they start are found (startedScripts). */
const fixedEntries = {
  main: `${root}packages/shell/dist/main.js`,
  'sqlite-runtime': `${root}packages/sql/dist/sqlite-runtime.js`,
};

/** A quoted './name.js' or './dir/name.js' that is not the target of an import or export. */
const RELATIVE_SCRIPT = /(?<!\b(?:from|import)\s*\(?\s*)(['"`])(\.\/[\w./-]+\.js)\1/g;

/** Scripts a module starts relative to itself (workers, child processes): existing files its './x.js' literals name. */
function startedScripts(file) {
  const text = readFileSync(file, 'utf8');
  if (!text.includes('import.meta.url')) return [];
  const found = [];
  for (const match of text.matchAll(RELATIVE_SCRIPT)) {
    const script = resolve(dirname(file), match[2]);
    if (script !== file && existsSync(script)) found.push(script);
  }
  return found;
}

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

function bundle(entryPoints, options) {
  return build({
    entryPoints,
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [workspaceOnly],
    metafile: true,
    logLevel: 'warning',
    ...options,
  });
}

// Find the entries without writing: build, find the scripts the bundled modules start, add the missing ones, and
// build again until none is missing (a worker's own modules may start further scripts).
const entryPoints = { ...fixedEntries };
let result;
for (;;) {
  result = await bundle(entryPoints, { outdir, write: false });
  const known = new Set(Object.values(entryPoints));
  const missing = new Set();
  for (const input of Object.keys(result.metafile.inputs)) {
    for (const script of startedScripts(resolve(root, input))) if (!known.has(script)) missing.add(script);
  }
  if (missing.size === 0) break;
  for (const script of missing) {
    const name = basename(script, '.js');
    if (entryPoints[name] !== undefined) {
      throw new Error(`bundle-shell: ${script} and ${entryPoints[name]} would both be ${name}.js in the bundle folder; rename one`);
    }
    entryPoints[name] = script;
  }
}

// Write the bundle beside the old one and swap the folders, so a quarryi started meanwhile finds a whole bundle.
const fresh = `${outdir}.new-${process.pid}`;
const stale = `${outdir}.old-${process.pid}`;
rmSync(fresh, { recursive: true, force: true });
result = await bundle(entryPoints, { outdir: fresh });
for (let attempt = 1; ; attempt++) {
  // Another build may swap its own bundle in at the same moment: move whatever is there aside, then retry.
  rmSync(stale, { recursive: true, force: true });
  try {
    renameSync(outdir, stale);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  try {
    renameSync(fresh, outdir);
    break;
  } catch (error) {
    if ((error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') || attempt >= 5) throw error;
  }
}
rmSync(stale, { recursive: true, force: true });

// The tables' own bundle inlines @quarry/sql a second time: reaching it would give two copies of every class.
const tablesBundle = Object.keys(result.metafile.inputs).find((input) => input.endsWith('index.bundle.js'));
if (tablesBundle !== undefined) throw new Error(`bundle-shell: ${tablesBundle} must not be part of the shell's bundle`);
