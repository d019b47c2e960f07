/** One-shot and stdin error reporting and exit codes, as osqueryi (reference §1.3, §1.6). */
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quarryi, quarryiPath } from './quarryi.js';
import { tempDir } from '../temp-dir.js';

const scratch = tempDir('quarryi-errors-');

test('a syntax error prints SQLite\'s message and exits 1', () => {
  const run = quarryi(['selec 1']);
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, 'Error: near "selec": syntax error\n');
});

test('an unknown table is SQLite\'s "no such table"', () => {
  const run = quarryi(['select * from no_such_table_here']);
  assert.equal(run.status, 1);
  assert.equal(run.stderr, 'Error: no such table: no_such_table_here\n');
});

test('write statements are refused with SQLITE_AUTH (23) and change nothing', () => {
  const before = quarryi(['--list', '--header=false', 'select count(*) from users']).stdout;
  const run = quarryi(['delete from users']);
  assert.equal(run.status, 23);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^Error: not authorized: .*DELETE refused\)\n$/);
  const create = quarryi(['create table t(a int)']);
  assert.equal(create.status, 23);
  assert.equal(quarryi(['--list', '--header=false', 'select count(*) from users']).stdout, before);
});

test('stdin: statements before an error still print; errors say "near line N"; exit 1', () => {
  const run = quarryi(['--list', '--header=false'], { input: 'select 1;\n\nselect\n  2;\nselect * from nope;\nselect 3;\n' });
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '1\n2\n3\n');
  assert.equal(run.stderr, 'Error: near line 5: no such table: nope\n');
});

test('stdin: several statements on one line all run; SQL without a final ; runs at EOF', () => {
  const run = quarryi(['--list', '--header=false'], { input: "select 1; select 'a;b'; -- comment\nselect 4" });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, '1\na;b\n4\n');
});

test('.bail on stops stdin processing at the first error', () => {
  const run = quarryi(['--list', '--header=false'], { input: '.bail on\nselect 1;\nselect x from nope;\nselect 2;\n' });
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '1\n');
});

test('a positional dot command runs as a meta command; .exit maps to 0', () => {
  const tables = quarryi(['.tables osquery_fl']);
  assert.equal(tables.status, 0, tables.stderr);
  assert.equal(tables.stdout, '  => osquery_flags\n');
  assert.equal(quarryi(['.exit']).status, 0);
});

test('an unknown dot command is reported with osquery\'s wording', () => {
  const run = quarryi([], { input: '.frobnicate\n' });
  assert.equal(run.status, 1);
  assert.equal(run.stderr, 'Error: unknown command or invalid arguments:  "frobnicate". Enter ".help" for help\n');
});

test('an unknown flag is an error naming it', () => {
  const run = quarryi(['--no_such_flag_x=1', 'select 1']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^Error: .*no_such_flag_x/);
});

test('a bad flagfile line is an error naming the file and line', () => {
  const flagfile = join(scratch, 'bad.flags');
  writeFileSync(flagfile, '--disable_events=true\nthis is not a flag\n');
  const run = quarryi([`--flagfile=${flagfile}`, 'select 1']);
  assert.equal(run.status, 1);
  assert.ok(run.stderr.startsWith('Error: '), run.stderr);
  assert.ok(run.stderr.includes(`${flagfile}:2`), run.stderr);
});

test('a malformed config given with --config_path is an error with file, line and column', () => {
  const config = join(scratch, 'bad.conf');
  writeFileSync(config, '{\n  "options": {\n    "host_identifier": "hostname",\n  }\n  "schedule": {}\n}\n');
  const run = quarryi([`--config_path=${config}`, 'select 1']);
  assert.equal(run.status, 1);
  assert.ok(run.stderr.startsWith(`Error reading config: ${config}:`), run.stderr);
  assert.match(run.stderr, new RegExp(`${config}:\\d+:\\d+: `));
});

test('--query_file that cannot be read is osquery\'s error, exit 1', () => {
  const path = join(scratch, 'missing.sql');
  const run = quarryi([`--query_file=${path}`]);
  assert.equal(run.status, 1);
  assert.equal(run.stderr, `Error reading query file '${path}': ENOENT\n`);
});

test('--connect without a token file says what is missing', () => {
  const run = quarryi(['--connect=http://127.0.0.1:9', 'select 1']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^Error: --connect needs --token_file=PATH/);
});

test('stdin from a pipe whose writer is slow (and a non-blocking pipe): quarryi waits for the queries instead of failing with EAGAIN', () => {
  // The writer sleeps before it writes, and the pipe is made non-blocking by a Node process on the writing side
  // (O_NONBLOCK belongs to the pipe, shared by both ends' processes).
  const writer = `setTimeout(() => process.stdout.write('select 7 * 6 as answer;\\n'), 800)`;
  const result = spawnSync('sh', ['-c', `"${process.execPath}" -e "${writer}" | "${process.execPath}" "${quarryiPath}" --json`], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [{ answer: '42' }]);
});
