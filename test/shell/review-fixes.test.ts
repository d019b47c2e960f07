/**
 * Fixes from code review A, through the real quarryi and the shell's own modules: osquery_schedule as quarryd
 * computes it, the host UUID shared with system_info, -A exit codes, --profile one-shot, `.show` output, the
 * history directory fallback, --regex_max_size, --connect over clear text, --help headings and line input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateHome, quarryi, quarryiPath, repoRoot } from './quarryi.js';
import { tempDir } from '../temp-dir.js';

const scratch = tempDir('quarryi-review-');

test('osquery_schedule follows --pack_delimiter, pack platform filters and --schedule_default_interval', () => {
  const config = join(scratch, 'schedule.conf');
  writeFileSync(
    config,
    JSON.stringify({
      schedule: { plain: { query: 'select 1' }, timed: { query: 'select 2', interval: 30 } },
      packs: {
        here: { queries: { one: { query: 'select 3' } } },
        elsewhere: { platform: 'windows', queries: { two: { query: 'select 4', interval: 10 } } },
      },
    }),
  );
  const run = quarryi([`--config_path=${config}`, '--pack_delimiter=:', '--schedule_default_interval=123', '--json', 'select name, interval from osquery_schedule order by name']);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), [
    { name: 'pack:here:one', interval: '123' },
    { name: 'plain', interval: '123' },
    { name: 'timed', interval: '30' },
  ]);
});

test('osquery_info.uuid is system_info.uuid', () => {
  const run = quarryi(['--list', '--header=false', 'select (select uuid from osquery_info) = (select uuid from system_info), (select uuid from osquery_info)']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^1\|/);
});

test('-A TABLE and a positional .all exit with SQLite\'s code, as the same query does', () => {
  const query = quarryi(['select * from file']);
  assert.notEqual(query.status, 0);
  const all = quarryi(['-A', 'file']);
  assert.equal(all.status, query.status, all.stderr);
  assert.equal(quarryi(['.all file']).status, query.status);
  assert.equal(quarryi(['-A', 'no_such_table_here']).status, quarryi(['select * from no_such_table_here']).status);
  assert.equal(quarryi(['-A', 'time']).status, 0);
});

test('.show reports the --output file', () => {
  const output = join(scratch, 'show.txt');
  const run = quarryi([`--output=${output}`, '.show']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(readFileSync(output, 'utf8'), new RegExp(`\\n\\s+output: ${output.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
  assert.match(quarryi(['.show']).stdout, /\n\s+output: stdout\n/);
});

test('--profile N on a terminal is one-shot: the first stdin line runs N times, silently, no REPL', () => {
  const spec = {
    argv: [process.execPath, quarryiPath, '--profile=2'],
    env: { HOME: privateHome(), TERM: 'xterm' },
    steps: [{ send: 'select 1;\r', expect: null, timeout: 1 }, { send: '\x04', expect: null, timeout: 5 }],
  };
  const run = spawnSync('python3', [join(repoRoot, 'test/shell/pty-driver.py'), JSON.stringify(spec)], { encoding: 'utf8', timeout: 60_000 });
  const result = JSON.parse(run.stdout) as { transcript: string; exit: number | null };
  assert.equal(result.exit, 0, result.transcript);
  assert.ok(!result.transcript.includes('quarry>'), result.transcript);
  assert.ok(!result.transcript.includes('virtual database'), result.transcript);
});

test('--profile_delay S sleeps S seconds before and after the --profile runs, which still print nothing', () => {
  const started = Date.now();
  const delayed = quarryi(['--profile=2', '--profile_delay=1', 'select 1']);
  const delayedMs = Date.now() - started;
  assert.equal(delayed.status, 0, delayed.stderr);
  assert.equal(delayed.stdout, '');
  // Two one-second sleeps: a lower bound on the run's own duration, not a speed goal.
  assert.ok(delayedMs >= 2000, `took ${delayedMs} ms, expected two 1 s sleeps`);
});

test('the /tmp history fallback is used only when it is a private directory of this user', async () => {
  const { isPrivateDirectory, shellHome } = await import('@quarry/shell/repl');
  const base = mkdtempSync(join(scratch, 'home-'));
  const open = join(base, 'open');
  mkdirSync(open);
  chmodSync(open, 0o755);
  assert.equal(isPrivateDirectory(open), false);
  const closed = join(base, 'closed');
  mkdirSync(closed, { mode: 0o700 });
  assert.equal(isPrivateDirectory(closed), true);
  const link = join(base, 'link');
  symlinkSync(closed, link);
  assert.equal(isPrivateDirectory(link), false);

  // A home where ~/.quarry cannot be created (a file named .quarry is in the way) → the $TMPDIR fallback.
  const home = mkdtempSync(join(scratch, 'blocked-'));
  writeFileSync(join(home, '.quarry'), '');
  const saved = { HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };
  try {
    process.env.HOME = home;
    const tmp = mkdtempSync(join(scratch, 'tmp-'));
    process.env.TMPDIR = tmp;
    const fallback = join(tmp, `quarry-${process.getuid?.()}`);
    // Planted as a symlink to a directory someone else chose: refused, no history.
    symlinkSync(closed, fallback);
    assert.equal(shellHome(), undefined);
    // Fresh: created 0700 and used.
    const fresh = mkdtempSync(join(scratch, 'tmp-'));
    process.env.TMPDIR = fresh;
    assert.equal(shellHome(), join(fresh, `quarry-${process.getuid?.()}`));
    // Pre-existing with group/other access: refused.
    const loose = mkdtempSync(join(scratch, 'tmp-'));
    mkdirSync(join(loose, `quarry-${process.getuid?.()}`), { mode: 0o777 });
    chmodSync(join(loose, `quarry-${process.getuid?.()}`), 0o777);
    process.env.TMPDIR = loose;
    assert.equal(shellHome(), undefined);
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

test('--regex_max_size limits regex_match and regex_split patterns', () => {
  const sql = "select regex_match('abcdef', 'b(c)d', 1)";
  assert.equal(quarryi(['--list', '--header=false', sql]).stdout, 'c\n');
  const small = quarryi(['--regex_max_size=4', sql]);
  assert.equal(small.status, 1);
  assert.equal(small.stderr, 'Error: Invalid regex: too big, max size is 4 bytes\n');
  assert.equal(quarryi(['--regex_max_size=4', "select regex_split('a1b', '[0-9]+', 0)"]).status, 1);
});

test('--connect refuses plain http:// to a non-loopback host (the token would travel in clear text)', async () => {
  const token = join(scratch, 'token');
  writeFileSync(token, 'secret\n', { mode: 0o600 });
  const run = quarryi(['--connect=http://192.0.2.7:9710', `--token_file=${token}`, 'select 1']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^Error: --connect http:\/\/192\.0\.2\.7:9710 would send the bearer token in clear text.*https:\/\//);
  const { isLoopbackHost } = await import('@quarry/shell/remote-backend');
  for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '[::1]', new URL('http://[::ffff:127.0.0.1]/').hostname]) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ['192.0.2.7', 'example.com', '[::2]', '128.0.0.1', 'localhost.example.com']) assert.equal(isLoopbackHost(host), false, host);
});

test('--help uses osquery\'s section headings and lists shell flags', () => {
  const run = quarryi(['--help']);
  assert.equal(run.status, 0);
  assert.match(run.stdout, /^osquery command line flags:$/m);
  assert.match(run.stdout, /^osquery configuration options \(set by config or CLI flags\):$/m);
  assert.match(run.stdout, /^osquery shell-only CLI flags:$/m);
  assert.match(run.stdout, /--pack_delimiter VALUE/);
  assert.match(run.stdout, /^ {4}-A TABLE +Select all from a table$/m);
});

test('line input: completion is sqlite3_complete over the lines, each read once', async () => {
  const { LineInput } = await import('@quarry/shell/session');
  const { isCompleteSql } = await import('@quarry/sql');
  const inputs = [
    ['select 1;'],
    ['select 1; -- a comment'],
    ["select 'a;", "b';"],
    ['create trigger t after insert on x begin', 'select 1;', 'end;'],
    ['/* open', '; */ select', '2;'],
    ['select [a;', '];'],
  ];
  for (const lines of inputs) {
    const input = new LineInput();
    lines.forEach((line, index) => {
      input.append(line, index + 1);
      assert.equal(input.complete, isCompleteSql(lines.slice(0, index + 1).join('\n') + '\n'), JSON.stringify(lines.slice(0, index + 1)));
    });
    assert.equal(input.complete, true, JSON.stringify(lines));
    assert.equal(input.take().text, lines.join('\n'));
    assert.equal(input.complete, false);
  }
});
