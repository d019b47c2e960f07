#!/usr/bin/env node
// Runs every test under test/ with Node's own test runner (TypeScript through tsx).
// Files are run one at a time (--test-concurrency=1): tests that touch the kernel's audit configuration are global
// to the machine and must never overlap. Usage: node scripts/run-tests.mjs [path-filter ...]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (/\.test\.(ts|mjs|js)$/.test(name)) out.push(relative(root, path));
  }
  return out;
}
const files = walk(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Every test that opens an event buffer loads the official LMDB (liblmdb0) at run time: make sure it is installed.
const lmdb = spawnSync('sh', [join(root, 'scripts/ensure-liblmdb.sh')], { stdio: 'inherit' });
if (lmdb.status !== 0) process.exit(lmdb.status ?? 1);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
