// find_file_path_in_cmd, is_path_deterministic and carve (reference 2.3), against real files in a temp directory,
// real processes, the real shell (quarryi) and a real quarryd query worker.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, QueryError } from '@quarry/sql';
import { processesTables } from '@quarry/tables/processes/index';
import { QueryPool } from '@quarry/daemon/pool/query-pool';
import { quarryi } from '../shell/quarryi.js';

// realpath: the files' names as the kernel reports them (/proc/<pid>/exe), should tmpdir() be a symlink.
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'quarry-path-functions-')));
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Creates the regular file `name` in the temp directory; returns its path. */
const file = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, 'x');
  return path;
};
const my = file('my');
const myApp = file('my app');
const dataDir = join(dir, 'data');
mkdirSync(dataDir);
const dataSet = file('data set');
const backslash = file('back\\slash');
const link = join(dir, 'link');
symlinkSync(my, link);
const dirLink = join(dir, 'dirlink');
symlinkSync(dataDir, dirLink);
symlinkSync(join(dir, 'nowhere'), join(dir, 'broken'));
file('broken target');

const engine = await Engine.create({ tables: [...processesTables] });
/** A SQL string literal. */
const lit = (text: string) => `'${text.replace(/'/g, "''")}'`;
const one = (sql: string, on: Engine = engine) => Object.values(on.query(`select ${sql} as v`).rows[0]!)[0];
const find = (...args: string[]) => one(`find_file_path_in_cmd(${args.join(', ')})`);
const deterministic = (...args: string[]) => one(`is_path_deterministic(${args.join(', ')})`);
const fails = (sql: string, message: string) =>
  assert.throws(
    () => engine.query(`select ${sql}`),
    (error: unknown) => error instanceof QueryError && error.message === message,
    sql,
  );

test('the shortest leading part of the command that is an existing file wins, arguments are ignored', () => {
  assert.equal(find(lit(`${my} --flag value`)), my);
  assert.equal(find(lit(my)), my, 'a command with no arguments');
  assert.equal(find(lit(`${my}\t-x`)), my, 'a tab separates like a space');
  assert.equal(find(`char(9) || ' ' || ${lit(`${my} -x`)}`), my, 'leading whitespace is skipped');
  assert.equal(find(lit(`${my}  -x  `)), my, 'runs of spaces and trailing spaces');
  assert.equal(one(`typeof(find_file_path_in_cmd(${lit(my)}))`), 'text');
});

test('paths with spaces: the first existing prefix wins, and is_path_deterministic tells when that is ambiguous', () => {
  // Both '<dir>/my' and '<dir>/my app' exist: the unquoted command reads as '<dir>/my' with argument 'app'.
  assert.equal(find(lit(`${myApp} --x`)), my);
  assert.equal(deterministic(lit(`${myApp} --x`)), 0);
  assert.equal(deterministic(lit(myApp)), 0, 'the whole command is a file too, but so is a shorter prefix');
  // '<dir>/data' is a directory, so it is skipped and '<dir>/data set' is the only reading.
  assert.equal(find(lit(`${dataSet} -v`)), dataSet);
  assert.equal(deterministic(lit(`${dataSet} -v`)), 1);
  assert.equal(deterministic(lit(`${my} -v`)), 1);
});

test('directories never count, even when they are the whole command; symlinks are followed', () => {
  assert.equal(find(lit(dataDir)), '');
  assert.equal(find(lit(`${dataDir} -x`)), '');
  assert.equal(find(lit(`${dirLink} -x`)), '', 'a symlink to a directory');
  assert.equal(find(lit(`${link} -x`)), link, 'a symlink to a file counts, and its own name is returned');
  assert.equal(find(lit(`${join(dir, 'broken')} target`)), join(dir, 'broken target'), 'a dangling symlink does not count');
});

test('a missing file gives an empty string, and a command with no file is deterministic', () => {
  const missing = join(dir, 'missing');
  assert.equal(find(lit(`${missing} --x`)), '');
  assert.equal(one(`typeof(find_file_path_in_cmd(${lit(missing)}))`), 'text');
  assert.equal(deterministic(lit(`${missing} --x`)), 1);
  assert.equal(find("''"), '');
  assert.equal(find("'   '"), '');
  assert.equal(deterministic("''"), 1);
});

test('allow_quoting: double quotes group a path with spaces and are dropped; without it they are plain bytes', () => {
  const quoted = lit(`"${myApp}" --x`);
  assert.equal(find(quoted, '1'), myApp);
  assert.equal(deterministic(quoted, '1'), 1);
  assert.equal(find(quoted), '', 'quoting is off by default: the quote is part of the name');
  assert.equal(find(quoted, '0'), '');
  assert.equal(find(lit(`"${dir}"/"my app" --x`), '1'), myApp, 'quotes may cover parts of the path');
  assert.equal(find(lit(`"${myApp}`), '1'), myApp, 'an unterminated quote runs to the end');
  // The flag is read as SQLite's integer value of the argument (sqlite3_value_int).
  assert.equal(find(quoted, "'1'"), myApp);
  assert.equal(find(quoted, '2'), myApp);
  assert.equal(find(quoted, "'yes'"), '', "'yes' is the integer 0");
  assert.equal(find(quoted, '0.5'), '', '0.5 is the integer 0');
});

test('escape_char: an escaped space does not end the path; the escape is dropped; default escape is a backslash', () => {
  assert.equal(find(lit(`${dir}/my\\ app --x`)), myApp);
  assert.equal(deterministic(lit(`${dir}/my\\ app --x`)), 1);
  assert.equal(find(lit(`${dir}/back\\\\slash -x`)), backslash, 'an escaped escape is kept once');
  assert.equal(find(lit(`${dir}/my^ app --x`), '0', "'^'"), myApp, 'a custom escape character');
  assert.equal(find(lit(`${dir}/back\\slash -x`), '0', "'^'"), backslash, 'with another escape, a backslash is plain');
  assert.equal(find(lit(`"${dir}/my\\" app" --x`), '1'), '', 'inside quotes, an escaped quote is a plain byte');
  assert.equal(find(lit(`"${dir}/my\\ app" --x`), '1'), myApp, 'escapes work inside quotes too');
});

test('NULL arguments, no arguments and a bad escape_char fail with osquery\'s messages', () => {
  const findError = 'Invalid inputs to find_binary_path_from_cmd';
  const determinismError = 'Invalid inputs to is_path_deterministic';
  for (const args of ['null', "'/bin/sh', null", "'/bin/sh', 1, null", '', "'/bin/sh', 0, ''", "'/bin/sh', 0, 'ab'", "'/bin/sh', 0, 'é'"]) {
    fails(`find_file_path_in_cmd(${args})`, findError);
    fails(`is_path_deterministic(${args})`, determinismError);
  }
});

test('other types: numbers are read as their text, relative paths against the working directory, blobs as bytes', (t) => {
  const cwd = process.cwd();
  process.chdir(dir);
  t.after(() => process.chdir(cwd));
  file('42');
  file('4.5');
  assert.equal(find('42'), '42');
  assert.equal(find('4.5'), '4.5');
  assert.equal(find("'my app'"), 'my', 'a relative command');
  assert.equal(find("'./data set -v'"), './data set');
  file('4 2');
  assert.equal(find("'47 2 -x'", '0', '7'), '4 2', 'a number as escape_char is its one-character text');
  // A name that is not UTF-8 is found byte for byte, and returned byte for byte.
  const name = Buffer.from([0x6e, 0xff, 0x20, 0x6d]);
  writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), name]), 'x');
  const command = Buffer.concat([Buffer.from(`${dir}/`), name, Buffer.from(' -x')]);
  const expected = Buffer.concat([Buffer.from(`${dir}/`), name]);
  assert.equal(one(`hex(find_file_path_in_cmd(x'${command.toString('hex')}'))`), expected.toString('hex').toUpperCase());
  assert.ok(statSync(expected).isFile());
});

/** Starts a copy of sleep under `path` and waits until its /proc entry shows the new program. */
async function startSleeper(path: string): Promise<number> {
  copyFileSync('/usr/bin/sleep', path);
  const child = spawn(path, ['1000'], { stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  return child.pid!;
}

test('the typical use: select pid, find_file_path_in_cmd(cmdline) from processes', async () => {
  mkdirSync(join(dir, 'bin dir'));
  mkdirSync(join(dir, 'bin dir', 'sleep')); // a directory prefix of the program's name, skipped
  const clear = await startSleeper(join(dir, 'bin dir', 'sleep tool'));
  mkdirSync(join(dir, 'app data'));
  file('app'); // makes the next command ambiguous
  const ambiguous = await startSleeper(join(dir, 'app data', 'run'));

  const rows = engine.query('select pid, path, cmdline, find_file_path_in_cmd(cmdline) as binary, is_path_deterministic(cmdline) as sure from processes').rows;
  const byPid = new Map(rows.map((row) => [row.pid as number, row]));
  const clearRow = byPid.get(clear)!;
  assert.equal(clearRow.cmdline, `${join(dir, 'bin dir', 'sleep tool')} 1000`);
  assert.equal(clearRow.binary, clearRow.path, 'the program found in the command line is the one the kernel ran');
  assert.equal(clearRow.sure, 1);
  const ambiguousRow = byPid.get(ambiguous)!;
  assert.equal(ambiguousRow.binary, join(dir, 'app'), 'the shortest reading');
  assert.notEqual(ambiguousRow.binary, ambiguousRow.path);
  assert.equal(ambiguousRow.sure, 0, 'is_path_deterministic flags the ambiguity');
  const self = byPid.get(process.pid)!;
  if (!/[\s"\\]/.test(process.execPath)) assert.equal(self.binary, process.execPath, 'this test process: node');
  for (const row of rows) {
    assert.equal(typeof row.binary, 'string', `pid ${row.pid}`);
    const binary = row.binary as string;
    if (binary === '') continue;
    const cmdline = String(row.cmdline ?? '');
    if (!/["\\]/.test(cmdline)) assert.ok(cmdline.trimStart().startsWith(binary), `pid ${row.pid}: ${binary} begins ${cmdline}`);
    // The process may have exited and its file may be gone since; otherwise it must be a non-directory.
    try {
      assert.ok(!statSync(binary).isDirectory(), `pid ${row.pid}: ${binary} is not a directory`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
});

test('carve() is an aggregate that returns osquery\'s truncated "Carve Failed:" while disabled (the default)', () => {
  const carve = (sql: string) => engine.query(sql).rows.map((row) => Object.values(row)[0]);
  assert.deepEqual(carve(`select carve(${lit(my)})`), ['Carve Failed:']);
  assert.deepEqual(carve(`select carve(column1) from (values (${lit(my)}), (${lit(myApp)}), (null))`), ['Carve Failed:'], 'one result for all rows');
  assert.deepEqual(carve('select carve(null)'), ['Carve Failed:']);
  assert.deepEqual(carve('select carve(column1) from (values (1)) where 0'), ['Carve Failed:'], 'no rows: still one result');
  assert.deepEqual(
    carve(`select carve(column2) from (values (1, ${lit(my)}), (2, ${lit(myApp)}), (2, ${lit(dataSet)})) group by column1`),
    ['Carve Failed:', 'Carve Failed:'],
    'one result per group',
  );
  assert.equal(one(`typeof(carve(${lit(my)}))`), 'text');
  assert.throws(
    () => engine.query('select carve()'),
    (error: unknown) => error instanceof QueryError && /wrong number of arguments to function carve\(\)/.test(error.message),
  );
});

const noCarver = /^carve\(\) cannot start a carve: Quarry has no file carver .*--carver_disable_function=false/;

test('carve() with carverDisableFunction: false fails saying Quarry has no file carver', async () => {
  const enabled = await Engine.create({ tables: [], carverDisableFunction: false });
  assert.throws(() => enabled.query(`select carve(${lit(my)})`), (error: unknown) => error instanceof QueryError && noCarver.test(error.message));
  assert.throws(() => enabled.query('select carve(null)'), (error: unknown) => error instanceof QueryError && noCarver.test(error.message));
  assert.equal(one(`find_file_path_in_cmd(${lit(my)})`, enabled), my, 'other functions are unaffected');
});

test('--carver_disable_function reaches the shell: default "Carve Failed:", false → the error and exit code 1', () => {
  const disabled = quarryi(['--json', `select carve(${lit(my)}) as c`]);
  assert.equal(disabled.status, 0, disabled.stderr);
  assert.deepEqual(JSON.parse(disabled.stdout), [{ c: 'Carve Failed:' }]);
  const enabled = quarryi(['--carver_disable_function=false', `select carve(${lit(my)}) as c`]);
  assert.equal(enabled.status, 1);
  assert.match(enabled.stderr, /Error: carve\(\) cannot start a carve: Quarry has no file carver/);
});

test('a quarryd query worker created with carverDisableFunction: false refuses carve()', async () => {
  const init = { databasePath: '', openStore: false, readMax: 1 << 20, disableTables: '', enableTables: '', eventsEnabled: false, queryTimeoutMs: 10_000, rowCap: 1000, regexMaxSize: 256 };
  const enabled = new QueryPool({ size: 1, init: { ...init, carverDisableFunction: false }, queueLimit: 4, deadlineMs: 0, memoryLimitMb: 0 });
  const byDefault = new QueryPool({ size: 1, init, queueLimit: 4, deadlineMs: 0, memoryLimitMb: 0 });
  await Promise.all([enabled.start(), byDefault.start()]);
  try {
    await assert.rejects(enabled.run({ sql: `select carve(${lit(my)}) as c` }), (error: unknown) => error instanceof Error && noCarver.test(error.message));
    assert.deepEqual((await byDefault.run({ sql: `select carve(${lit(my)}) as c` })).rows, [{ c: 'Carve Failed:' }]);
  } finally {
    await Promise.all([enabled.close(), byDefault.close()]);
  }
});
