/**
 * osqueryi's output formats (reference §1.5), checked byte for byte on literal rows whose values are known.
 * Widths, quoting and ordering are computed here from the same values, following the documented rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quarryi } from './quarryi.js';

const SQL = "select 'launchd' as name, 1 as pid, null as parent union all select 'ünïcode', 22, 'x'";

test('pretty (default) draws osquery boxes with code-point widths', () => {
  const run = quarryi([SQL]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(
    run.stdout,
    [
      '+---------+-----+--------+',
      '| name    | pid | parent |',
      '+---------+-----+--------+',
      '| launchd | 1   |        |',
      '| ünïcode | 22  | x      |',
      '+---------+-----+--------+',
      '',
    ].join('\n'),
  );
});

test('pretty prints nothing for zero rows', () => {
  const run = quarryi(['select 1 as a where 0']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, '');
});

test('--json sorts keys, renders every value as a string, NULL as --nullvalue', () => {
  const run = quarryi(['--json', '--nullvalue=NIL', SQL]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(
    run.stdout,
    '[\n  {"name":"launchd","parent":"NIL","pid":"1"},\n  {"name":"ünïcode","parent":"x","pid":"22"}\n]\n',
  );
  assert.deepEqual(JSON.parse(run.stdout), [
    { name: 'launchd', parent: 'NIL', pid: '1' },
    { name: 'ünïcode', parent: 'x', pid: '22' },
  ]);
});

test('--json with zero rows prints an empty array with a blank line', () => {
  const run = quarryi(['--json', 'select 1 as a where 0']);
  assert.equal(run.stdout, '[\n\n]\n');
});

test('--json_pretty indents two spaces', () => {
  const run = quarryi(['--json_pretty', "select 2 as b, 'v' as a"]);
  assert.equal(run.stdout, '[\n  {\n    "a": "v",\n    "b": "2"\n  }\n]\n');
});

test('--line right-aligns names to max(5, longest) and separates records by a blank line', () => {
  const run = quarryi(['--line', SQL]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, '  name = launchd\n   pid = 1\nparent = \n\n  name = ünïcode\n   pid = 22\nparent = x\n');
});

test('--list joins with the separator, header first; --header=false drops it', () => {
  assert.equal(quarryi(['--list', SQL]).stdout, 'name|pid|parent\nlaunchd|1|\nünïcode|22|x\n');
  assert.equal(quarryi(['--list', '--header=false', '--separator=;', SQL]).stdout, 'launchd;1;\nünïcode;22;x\n');
});

test('--csv keeps osquery\'s separator quirk and quotes as osqueryi', () => {
  // osqueryi --csv copies the --separator flag (default |) over the ',' the mode would set.
  const sql = `select 'a b' as s, 'q"t' as q, 'plain' as p, 'x|y' as bar`;
  assert.equal(quarryi(['--csv', sql]).stdout, 's|q|p|bar\n"a b"|"q""t"|plain|"x|y"\n');
  assert.equal(quarryi(['--csv', '--separator=,', sql]).stdout, 's,q,p,bar\n"a b","q""t",plain,x|y\n');
});

test('.mode column pads to max(10, header, first value) with dashed underline', () => {
  const run = quarryi([], { input: `.mode column\n${SQL};\n` });
  assert.equal(run.status, 0, run.stderr);
  const widths = [10, 10, 10];
  const pad = (text: string, width: number) => text + ' '.repeat(width - [...text].length);
  const line = (values: string[]) => values.map((v, i) => pad(v, widths[i]!)).join('  ') + '\n';
  assert.equal(
    run.stdout,
    line(['name', 'pid', 'parent']) + widths.map((w) => '-'.repeat(w)).join('  ') + '\n' + line(['launchd', '1', '']) + line(['ünïcode', '22', 'x']),
  );
});

test('.mode csv sets the separator to a comma; .nullvalue applies to sqlite modes only', () => {
  const run = quarryi([], { input: `.mode csv\n.nullvalue NULL\n${SQL};\n.mode pretty\nselect null as n, 1 as o;\n` });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(
    run.stdout,
    'name,pid,parent\nlaunchd,1,NULL\n"ünïcode",22,x\n' + '+---+---+\n| n | o |\n+---+---+\n|   | 1 |\n+---+---+\n',
  );
});

test('doubles print with 15 significant digits and a .0 when they have no point (osquery §2.5)', () => {
  const run = quarryi(['--list', '--header=false', 'select 1.0/3, 2.5, -2.0/7, cast(7 as real), sqrt(4)']);
  assert.equal(run.status, 0, run.stderr);
  const g15 = (value: number) => {
    const text = value.toPrecision(15).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
    return text.includes('.') ? text : `${text}.0`;
  };
  assert.equal(run.stdout, [1 / 3, 2.5, -2 / 7, 7, Math.sqrt(4)].map(g15).join('|') + '\n');
});
