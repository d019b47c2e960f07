/**
 * docs/tables.md and docs/flags.md are generated from the code (scripts/generate-docs.mjs). These tests fail when a
 * committed page differs from what the code gives now, and check that the pages really list what the code defines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allFlagDefinitions } from '@quarry/config';
import { eventTableDeclarations } from '@quarry/subscribers/declarations';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const page = (name: string) => readFileSync(join(repoRoot, 'docs', name), 'utf8');

test('docs/tables.md, docs/flags.md and docs/README.md are what scripts/generate-docs.mjs writes from the code', () => {
  const check = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'generate-docs.mjs'), '--check'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(
    check.status,
    0,
    `The generated docs pages are stale: run \`npm run docs\` (it builds, then writes docs/tables.md, docs/flags.md and docs/README.md) and commit them.\n${check.stderr}`,
  );
});

test('docs/flags.md lists every flag of the registry with its type, default and whether it has an effect', () => {
  const text = page('flags.md');
  for (const flag of allFlagDefinitions()) {
    const line = text.split('\n').find((l) => l.startsWith(`| \`--${flag.name}\` |`));
    assert.ok(line, `--${flag.name} is missing from docs/flags.md: run \`npm run docs\``);
    assert.match(line, new RegExp(`^\\| \`--${flag.name}\` \\| ${flag.type} \\|`));
    assert.equal(line.includes('| No effect: '), Boolean(flag.noEffect), `--${flag.name}: effect column`);
  }
});

test('docs/tables.md has a section for every event table with each of its columns and types', () => {
  const text = page('tables.md');
  for (const table of eventTableDeclarations()) {
    const start = text.indexOf(`\n### ${table.name}\n`);
    assert.ok(start >= 0, `${table.name} is missing from docs/tables.md: run \`npm run docs\``);
    const end = text.indexOf('\n### ', start + 1);
    const section = text.slice(start, end < 0 ? undefined : end);
    for (const column of table.columns) assert.ok(section.includes(`| ${column.name} | ${column.type} |`), `${table.name}.${column.name}`);
  }
  assert.match(text, /\n### processes\n[\s\S]*?\| pid \| BIGINT \| index/);
  assert.match(text, /\n### hash\n[^#]*Required in WHERE: /);
});
