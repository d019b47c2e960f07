/**
 * osquery flags Quarry accepts (so osquery flagfiles and configs load) but cannot honour: setting one to anything
 * but its default is a warning that names the flag and says why, never a silent no-op. Every other defined flag
 * must be read by some code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@quarry/config';
import { quarryi, repoRoot } from '../shell/quarryi.js';
import { tempDir } from '../temp-dir.js';

const noEffect = new Flags().definitions().filter((definition) => definition.noEffect !== undefined);

test('a no-effect flag set on the command line warns with its reason; the query still runs', () => {
  const result = quarryi(['--utc=false', '--daemonize', '--json', 'select 1 as one']);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [{ one: '1' }]);
  const utc = noEffect.find((d) => d.name === 'utc')!;
  assert.match(result.stderr, new RegExp(`W\\d{4} [\\d:.]+ +\\d+ quarryi\\] --utc=false has no effect in Quarry: ${utc.noEffect!.replace(/[().]/g, '\\$&')}`));
  assert.match(result.stderr, /--daemonize=true has no effect in Quarry: quarryd always runs in the foreground/);
});

test('set to its default, or not set at all, a no-effect flag is silent', () => {
  const result = quarryi(['--utc=true', '--hash_delay=20', '--json', 'select 1 as one']);
  assert.equal(result.status, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /has no effect/);
  assert.doesNotMatch(quarryi(['--json', 'select 1 as one']).stderr, /has no effect/);
});

test('a no-effect flag set in the config options warns too', () => {
  const directory = tempDir('quarry-no-effect-');
  const config = join(directory, 'osquery.conf');
  writeFileSync(config, JSON.stringify({ options: { table_delay: 5, schedule_reload: 60 } }));
  const result = quarryi([`--config_path=${config}`, '--json', "select value from osquery_flags where name = 'table_delay'"]);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [{ value: '5' }]);
  assert.match(result.stderr, /--table_delay=5 has no effect in Quarry: tables are not throttled between scans; --query_timeout and the watchdog bound their cost/);
  assert.match(result.stderr, /--schedule_reload=60 has no effect in Quarry: LMDB needs no periodic arena reset/);
});

function sourceFiles(directory: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

test('every other flag is read somewhere in the code (a flag that does nothing must say so with noEffect)', () => {
  const roots = ['packages/sql/src', 'packages/config/src', 'packages/events/src', 'packages/tables/src', 'packages/node-audit/src',
    'packages/shell/src', 'packages/daemon/src', 'packages/fleet/src', 'buffers/src', 'publishers/src', 'subscribers/src'];
  const code = roots
    .flatMap((root) => sourceFiles(join(repoRoot, root)))
    .filter((file) => !file.includes('/packages/config/src/flags/'))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  const unread = new Flags()
    .definitions()
    .filter((definition) => definition.noEffect === undefined)
    .filter((definition) => !new RegExp(`['"\`]${definition.name}['"\`]`).test(code))
    .map((definition) => definition.name);
  assert.deepEqual(unread, [], 'flags defined but never read: give them an effect or a noEffect reason');
});

test('the flags page (docs/flags.md) lists every no-effect flag with its reason', () => {
  const page = readFileSync(join(repoRoot, 'docs', 'flags.md'), 'utf8');
  const rows = new Map(
    page
      .split('\n')
      .filter((line) => line.startsWith('| `--'))
      .map((line) => [/^\| `--([^`]+)`/.exec(line)![1]!, line]),
  );
  for (const definition of noEffect) {
    const row = rows.get(definition.name);
    assert.ok(row !== undefined, `docs/flags.md lists --${definition.name} (run npm run docs)`);
    assert.ok(row.replace(/\\\|/g, '|').includes(`No effect: ${definition.noEffect!}`), `docs/flags.md gives the reason for --${definition.name}`);
  }
});
