/** osqueryi's meta commands (reference §1.4) through the real quarryi, fed on stdin or as the positional argument. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quarryi } from './quarryi.js';

test('.help goes to stderr and lists the commands', () => {
  const run = quarryi([], { input: '.help\n' });
  assert.equal(run.status, 0);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^Welcome to the Quarry shell/);
  for (const command of ['.all', '.bail', '.exit', '.features', '.headers', '.mode', '.nullvalue', '.print', '.quit', '.schema', '.separator', '.show', '.summary', '.tables', '.timer']) {
    assert.ok(run.stderr.includes(`\n${command} `), command);
  }
  assert.ok(run.stderr.includes('.timer ON|OFF      Turn the CPU timer measurement on or off'));
});

test('.features prints name: value for every disable_/enable_ bool flag, as osquery_flags has them', () => {
  const features = quarryi(['.features']);
  const flags = quarryi([
    '--list',
    '--header=false',
    '--separator=: ',
    "select name, value from osquery_flags where (name like 'disable_%' or name like 'enable_%') and type = 'bool'",
  ]);
  assert.equal(features.status, 0, features.stderr);
  assert.ok(features.stdout.includes('disable_events: true\n'));
  assert.equal(features.stdout, flags.stdout);
});

test('.show reports shell settings and the non-default flags', () => {
  const run = quarryi(['--nullvalue=N/A', '.show']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^\x1b\[1mquarry\x1b\[0m - being built, with love\.\n~{45}\nquarry \S+\nusing SQLite 3\.\d+\.\d+\n\nGeneral settings:\n/);
  assert.ok(run.stdout.includes('\nShell settings:\n         echo: off\n      headers: on\n         mode: pretty\n    nullvalue: "N/A"\n       output: stdout\n    separator: "|"\n'));
  assert.ok(run.stdout.includes('\nNon-default flags/options:\n'));
  assert.ok(run.stdout.includes('  nullvalue: N/A\n'));
  assert.ok(run.stdout.includes('  disable_events: true\n'));
});

test('.timer prints osquery\'s Run Time line after each statement', () => {
  const run = quarryi(['--list', '--header=false'], { input: '.timer on\nselect 1;\n' });
  assert.match(run.stdout, /^1\nRun Time: real \d+\.\d{3} user \d+\.\d{6} sys \d+\.\d{6}\n$/);
});

test('.print, .echo, .headers, .separator, .nullvalue and .mode change output as the sqlite shell does', () => {
  const input = ['.print hello   "tab\\there"', '.echo on', 'select 1 as a;', '.echo off', '.mode list', '.headers off', '.separator ::', '.nullvalue -', 'select 1, null, 3;'].join('\n') + '\n';
  const run = quarryi([], { input });
  assert.equal(run.status, 0, run.stderr);
  // .echo on echoes statements and dot commands (so `.echo off` itself is echoed), as the sqlite shell.
  assert.equal(run.stdout, 'hello tab\there\nselect 1 as a;\n+---+\n| a |\n+---+\n| 1 |\n+---+\n.echo off\n1::-::3\n');
});

test('.mode rejects unknown modes with osquery\'s wording (plus Quarry\'s json modes); booleans are checked', () => {
  const run = quarryi([], { input: '.mode fancy\n.headers maybe\n' });
  assert.equal(run.status, 1);
  assert.equal(
    run.stderr,
    'Error: mode should be one of: column csv json json_pretty line list pretty\nERROR: Not a boolean value: "maybe". Assuming "no".\n',
  );
});

test('.mode json in a session prints like --json', () => {
  const run = quarryi([], { input: ".mode json\nselect 'b' as z, 'a' as y;\n" });
  assert.equal(run.stdout, '[\n  {"y":"a","z":"b"}\n]\n');
});

test('abbreviations resolve as in the sqlite shell (.s → .schema, .t → .tables)', () => {
  const schema = quarryi(['.s uptime']);
  assert.equal(schema.stdout, quarryi(['.schema uptime']).stdout);
  assert.match(schema.stdout, /^CREATE TABLE uptime\(`days` INTEGER, `hours` INTEGER, `minutes` INTEGER, `seconds` INTEGER, `total_seconds` BIGINT\);\n$/);
  assert.equal(quarryi(['.t upt']).stdout, '  => uptime\n');
});

test('.all TABLE and -A TABLE select every row; -L lists the tables', () => {
  const all = quarryi(['--list', '.all osquery_packs']);
  assert.equal(all.status, 0, all.stderr);
  const direct = quarryi(['--list', 'select * from osquery_packs']);
  assert.equal(all.stdout, direct.stdout);
  const flagA = quarryi(['--list', '-A', 'osquery_extensions']);
  assert.equal(flagA.stdout, quarryi(['--list', 'select * from osquery_extensions']).stdout);
  const missing = quarryi(['.all no_such_table']);
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, 'Error: no such table: no_such_table\nError querying table: no_such_table\n');
  assert.equal(quarryi(['-L']).stdout, quarryi(['.tables']).stdout);
});

test('.tables lists event tables and osquery_events without opening a database', () => {
  const run = quarryi(['.tables']);
  for (const name of ['file_events', 'process_events', 'osquery_events', 'quarry_buffers', 'osquery_flags']) {
    assert.ok(run.stdout.includes(`  => ${name}\n`), name);
  }
});

test('.exit N leaves with N; stdin after it is not run', () => {
  const run = quarryi(['--list'], { input: 'select 1;\n.exit 3\nselect 2;\n' });
  assert.equal(run.status, 3);
  assert.equal(run.stdout, '1\n1\n');
});
