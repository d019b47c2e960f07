/**
 * Workshop Interactive Lab 2 ("Shell & Simple SQL"), every statement word for word as the slides print it, run
 * through the real `node bin/quarryi.js` as a one-shot positional query and piped on stdin (and, for the multi-line
 * statement and `.mode line`, typed at the interactive prompt on a pseudo-terminal). Each answer is compared with
 * the system's own: getent passwd / shadow, ps, /proc, stat -f, df, date, id.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, chownSync } from 'node:fs';
import {
  bothWays,
  createTempUser,
  getentPasswd,
  parseLineMode,
  parsePretty,
  pick,
  prettyHeader,
  PromptSession,
  psEntries,
  quarryi,
  removePrivateHomes,
  workshopColumns,
  type RunResult,
  type Row,
  type TempUser,
} from './workshop.js';

const FIVE = ['uid', 'gid', 'username', 'description', 'directory'];
const cleanup: (() => void)[] = [];

after(() => {
  for (const step of cleanup.reverse()) step();
  removePrivateHomes();
});

/** Both runs succeeded without warnings and printed the same table; returns its rows. */
function sameTable(oneShot: RunResult, piped: RunResult, allowStderr?: RegExp): Row[] {
  for (const run of [oneShot, piped]) {
    assert.equal(run.status, 0, run.stderr);
    if (allowStderr) assert.match(run.stderr, allowStderr);
    else assert.equal(run.stderr, '');
  }
  const rows = parsePretty(oneShot.stdout);
  assert.deepEqual(parsePretty(piped.stdout), rows, 'one-shot and piped stdin give the same rows');
  return rows;
}

// ---------- users ----------

test('`select * from users;` is getent passwd, row for row, in its order', async () => {
  const expected = getentPasswd();
  const { oneShot, piped } = await bothWays('select * from users;');
  const rows = sameTable(oneShot, piped);
  assert.deepEqual(prettyHeader(oneShot.stdout), ['uid', 'gid', 'uid_signed', 'gid_signed', 'username', 'description', 'directory', 'shell', 'uuid']);
  const now = getentPasswd();
  // Another test on this machine may add or remove an account meanwhile: compare the accounts present both times.
  const stable = expected.filter((e) => now.some((n) => n.username === e.username));
  const shown = rows.filter((row) => stable.some((e) => e.username === row.username));
  assert.deepEqual(
    shown.map((row) => ({ ...pick(row, FIVE), shell: row.shell })),
    stable.map((e) => ({ ...workshopColumns(e), shell: e.shell })),
  );
  assert.ok(rows.length >= Math.min(expected.length, now.length) && rows.length <= Math.max(expected.length, now.length));
});

test('`select * from users limit 5;` is the first five entries of getent passwd', async () => {
  const { oneShot, piped } = await bothWays('select * from users limit 5;');
  const rows = sameTable(oneShot, piped);
  assert.deepEqual(
    rows.map((row) => pick(row, FIVE)),
    getentPasswd().slice(0, 5).map(workshopColumns),
  );
});

test('`select count(*) from users;` is the number of getent passwd entries', async () => {
  const before = getentPasswd().length;
  const { oneShot, piped } = await bothWays('select count(*) from users;');
  const after = getentPasswd().length;
  for (const row of sameTable(oneShot, piped)) assert.ok([before, after].includes(Number(row['count(*)'])), `${row['count(*)']} vs ${before}/${after}`);
});

test('`select uid, gid, username, description, directory from users limit 5;`', async () => {
  const { oneShot, piped } = await bothWays('select uid, gid, username, description, directory from users limit 5;');
  const rows = sameTable(oneShot, piped);
  assert.deepEqual(prettyHeader(oneShot.stdout), FIVE);
  assert.deepEqual(rows, getentPasswd().slice(0, 5).map(workshopColumns));
});

test('`... from users order by uid asc limit 5;` is getent passwd sorted by uid', async () => {
  const { oneShot, piped } = await bothWays('select uid, gid, username, description, directory from users order by uid asc limit 5;');
  const rows = sameTable(oneShot, piped);
  const expected = getentPasswd()
    .sort((a, b) => a.uid - b.uid)
    .slice(0, 5)
    .map(workshopColumns);
  assert.deepEqual(rows, expected);
});

test("`... where username='systemd-timesync';` is getent passwd systemd-timesync", async () => {
  let created = false;
  try {
    execFileSync('getent', ['passwd', 'systemd-timesync']);
  } catch {
    execFileSync('useradd', ['-r', '-M', '-d', '/', '-s', '/usr/sbin/nologin', '-c', 'systemd Time Synchronization', 'systemd-timesync']);
    created = true;
  }
  try {
    const line = execFileSync('getent', ['passwd', 'systemd-timesync'], { encoding: 'utf8' }).trim();
    const [username = '', , uid = '', gid = '', description = '', directory = ''] = line.split(':');
    const { oneShot, piped } = await bothWays("select uid, gid, username, description, directory from users where username='systemd-timesync';");
    assert.deepEqual(sameTable(oneShot, piped), [{ uid, gid, username, description, directory }]);
  } finally {
    if (created) execFileSync('userdel', ['systemd-timesync']);
  }
});

test("`... where username like 'system%';` is every getent passwd name starting with system", async () => {
  const { oneShot, piped } = await bothWays("select uid, gid, username, description, directory from users where username like 'system%';");
  const rows = sameTable(oneShot, piped);
  const expected = getentPasswd()
    .filter((e) => e.username.toLowerCase().startsWith('system'))
    .map(workshopColumns);
  assert.deepEqual(rows, expected);
});

// ---------- shadow ----------

test('`select * from shadow;` as root is getent shadow', async () => {
  const expected = execFileSync('getent', ['shadow'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(':'))
    .map((line) => line.split(':'));
  const { oneShot, piped } = await bothWays('select * from shadow;');
  const rows = sameTable(oneShot, piped);
  const orMinusOne = (field: string | undefined) => (field === undefined || field === '' ? '-1' : field);
  const present = rows.filter((row) => expected.some((fields) => fields[0] === row.username));
  assert.ok(present.length >= expected.length - 1, 'every shadow entry is shown');
  for (const row of present) {
    const fields = expected.find((f) => f[0] === row.username)!;
    assert.deepEqual(pick(row, ['username', 'last_change', 'min', 'max', 'warning', 'inactive', 'expire', 'flag']), {
      username: fields[0],
      last_change: orMinusOne(fields[2]),
      min: orMinusOne(fields[3]),
      max: orMinusOne(fields[4]),
      warning: orMinusOne(fields[5]),
      inactive: orMinusOne(fields[6]),
      expire: orMinusOne(fields[7]),
      flag: orMinusOne(fields[8]),
    });
    if (/^[!*]/.test(fields[1] ?? '')) assert.equal(row.password_status, 'locked', row.username);
  }
});

test('`select * from shadow;` as an ordinary user (setpriv nobody) is refused with a clear error', async () => {
  const nobody = { uid: Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })), gid: Number(execFileSync('getent', ['group', 'nogroup'], { encoding: 'utf8' }).split(':')[2]) };
  const { oneShot, piped } = await bothWays('select * from shadow;', [], { as: nobody });
  for (const run of [oneShot, piped]) {
    assert.notEqual(run.status, 0);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^Error: (near line 1: )?shadow requires root: \/etc\/shadow is not readable by uid \d+; run the query as root\n$/);
  }
});

// ---------- processes ----------

test('`select * from processes limit 1;` is pid 1 as ps and /proc show it', async () => {
  const { oneShot, piped } = await bothWays('select * from processes limit 1;');
  const rows = sameTable(oneShot, piped);
  assert.equal(rows.length, 1);
  const [row] = rows;
  const ps = psEntries().get(1)!;
  assert.deepEqual(pick(row!, ['pid', 'name', 'uid', 'parent']), { pid: '1', name: ps.comm, uid: String(ps.uid), parent: String(ps.ppid) });
  assert.equal(row!.cmdline, readFileSync('/proc/1/cmdline', 'utf8').split('\0').filter(Boolean).join(' '));
  for (const column of ['pid', 'name', 'path', 'cmdline', 'state', 'cwd', 'root', 'uid', 'gid', 'euid', 'egid', 'on_disk', 'resident_size', 'start_time', 'parent', 'threads']) {
    assert.ok(prettyHeader(oneShot.stdout).includes(column), column);
  }
});

test('`select pid, name, cmdline from processes limit 5;` are the five lowest pids of ps', async () => {
  const { oneShot, piped } = await bothWays('select pid, name, cmdline from processes limit 5;');
  const rows = sameTable(oneShot, piped);
  assert.deepEqual(prettyHeader(oneShot.stdout), ['pid', 'name', 'cmdline']);
  const ps = [...psEntries().values()].sort((a, b) => a.pid - b.pid).slice(0, 5);
  assert.deepEqual(
    rows.map((row) => ({ pid: row.pid, name: row.name })),
    ps.map((entry) => ({ pid: String(entry.pid), name: entry.comm })),
  );
  for (const row of rows) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${row.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      // exited meanwhile
    }
    assert.equal(row.cmdline, cmdline, `cmdline of ${row.pid}`);
  }
});

test('`select p.pid, p.name, u.uid, u.username from processes p join users u on u.uid=p.uid;` names every process owner', async () => {
  const psBefore = psEntries();
  const { oneShot, piped } = await bothWays('select p.pid, p.name, u.uid, u.username from processes p join users u on u.uid=p.uid;');
  const psAfter = psEntries();
  const names = new Map(getentPasswd().map((e) => [e.uid, e.username]));
  for (const run of [oneShot, piped]) {
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(prettyHeader(run.stdout), ['pid', 'name', 'uid', 'username']);
    const rows = parsePretty(run.stdout);
    const byPid = new Map(rows.map((row) => [Number(row.pid), row]));
    // Processes alive before and after the query, owned by a listed user, are all there, with ps's owner and name.
    for (const [pid, entry] of psBefore) {
      const later = psAfter.get(pid);
      if (!later || later.comm !== entry.comm || later.uid !== entry.uid || !names.has(entry.uid)) continue;
      const row = byPid.get(pid);
      assert.ok(row, `pid ${pid} (${entry.comm}) is in the join`);
      // A kernel worker's name follows the work queue it serves at the moment: compare the kworker/ part only.
      const name = (text: string | undefined) => (text?.startsWith('kworker/') ? 'kworker/' : text);
      assert.deepEqual({ ...row, name: name(row.name) }, { pid: String(pid), name: name(entry.comm), uid: String(entry.uid), username: names.get(entry.uid) });
    }
    for (const row of rows) assert.equal(row.username, names.get(Number(row.uid)), `username of uid ${row.uid}`);
  }
});

// ---------- shell_history ----------

test('`select * from shell_history;` shows the current user\'s history with osquery\'s advice; the uid IN (users) form shows every user\'s', async () => {
  const user: TempUser = createTempUser('qws');
  cleanup.push(() => user.remove());
  const history = `${user.home}/.bash_history`;
  const commands = ['ls -la /var/tmp', 'sudo fileblah.txt', `echo "quarry workshop ${user.name}"`];
  writeFileSync(history, `${commands.join('\n')}\n`, { mode: 0o600 });
  chownSync(history, user.uid, user.gid);
  // The current user (run as the new user): its own history, and the hint to join users on stderr.
  const { oneShot, piped } = await bothWays('select * from shell_history;', [], { as: { uid: user.uid, gid: user.gid } });
  for (const run of [oneShot, piped]) {
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /^W\d{4} [\d:.]+ +\d+ quarryi\] The shell_history table returns data based on the current user by default, consider JOINing against the users table\n$/);
    assert.deepEqual(prettyHeader(run.stdout), ['uid', 'time', 'command', 'history_file']);
    assert.deepEqual(
      parsePretty(run.stdout),
      commands.map((command) => ({ uid: String(user.uid), time: '0', command, history_file: history })),
    );
  }
  // As root, constrained by uid: every listed user's history files, so the new user's lines are there too.
  const all = await bothWays('select * from shell_history WHERE shell_history.uid IN (SELECT uid from users);');
  const rows = sameTable(all.oneShot, all.piped);
  assert.deepEqual(
    rows.filter((row) => row.history_file === history).map((row) => row.command),
    commands,
  );
  for (const row of rows) assert.ok(getentPasswd().some((e) => String(e.uid) === row.uid), `uid ${row.uid} is a listed user`);
});

// ---------- time ----------

test('`.mode line` then `select local_time from time;` and the datetime() form agree with date', async () => {
  const input = ".mode line\nselect local_time from time;\nselect datetime(local_time, 'unixepoch', 'localtime') as formatted_time from time;\n";
  const before = Number(execFileSync('date', ['+%s'], { encoding: 'utf8' }));
  const piped = await quarryi([], { input });
  const oneShot = await quarryi(['--line', 'select local_time from time;']);
  const formatted = await quarryi(['--line', "select datetime(local_time, 'unixepoch', 'localtime') as formatted_time from time;"]);
  const after = Number(execFileSync('date', ['+%s'], { encoding: 'utf8' }));
  for (const run of [piped, oneShot, formatted]) assert.equal(run.status, 0, run.stderr);
  const context = `piped:\n${piped.stdout}\none-shot:\n${oneShot.stdout}\n${formatted.stdout}\ndate +%s: ${before}..${after}`;
  // Two one-row statements in line mode: read both records' fields together.
  const shown = Object.assign({}, ...parseLineMode(piped.stdout)) as Record<string, string>;
  assert.match(piped.stdout, /^local_time = \d+\n/, context);
  const localTime = Number(shown.local_time);
  assert.ok(localTime >= before && localTime <= after, context);
  // Each statement reads the clock afresh: the formatted time is local time (as date prints it) within the same window.
  const shownEpoch = Number(execFileSync('date', ['-d', shown.formatted_time ?? 'invalid', '+%s'], { encoding: 'utf8' }));
  assert.ok(shownEpoch >= before && shownEpoch <= after, context);
  const oneShotTime = Number(parseLineMode(oneShot.stdout)[0]?.local_time);
  assert.ok(oneShotTime >= before && oneShotTime <= after, context);
  const oneShotFormatted = parseLineMode(formatted.stdout)[0]?.formatted_time ?? '';
  const formattedEpoch = Number(execFileSync('date', ['-d', oneShotFormatted, '+%s'], { encoding: 'utf8' }));
  assert.ok(formattedEpoch >= before && formattedEpoch <= after, context);
});

// ---------- mounts ----------

test("`select path, type, blocks_available, blocks_size from mounts where path = '/';` agrees with stat -f and /proc/self/mounts", async () => {
  const sql = "select path, type, blocks_available, blocks_size from mounts where path = '/';";
  const { oneShot, piped } = await bothWays(sql);
  const [blockSize = 0, available = 0] = execFileSync('stat', ['-f', '-c', '%S %a', '/'], { encoding: 'utf8' }).trim().split(' ').map(Number);
  const fsType = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields[1] === '/')
    .pop()?.[2];
  const line = await quarryi([], { input: `.mode line\n${sql}\n` });
  assert.equal(line.status, 0, line.stderr);
  for (const rows of [parsePretty(oneShot.stdout), parsePretty(piped.stdout), parseLineMode(line.stdout)]) {
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.deepEqual(pick(row!, ['path', 'type', 'blocks_size']), { path: '/', type: fsType, blocks_size: String(blockSize) });
    // Free space moves while other processes write: allow a small drift.
    assert.ok(Math.abs(Number(row!.blocks_available) - available) <= Math.max(2000, available * 0.01), `${row!.blocks_available} vs ${available}`);
  }
});

test("`select path, type, round((blocks_available * blocks_size *10e-10),2) as gigs_free from mounts where path='/';` agrees with df", async () => {
  const { oneShot, piped } = await bothWays("select path, type, round((blocks_available * blocks_size *10e-10),2) as gigs_free from mounts where path='/';");
  const rows = sameTable(oneShot, piped);
  const df = execFileSync('df', ['-B1', '--output=avail', '/'], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const dfGigs = Number(df) * 1e-9;
  assert.equal(rows.length, 1);
  assert.deepEqual(prettyHeader(oneShot.stdout), ['path', 'type', 'gigs_free']);
  assert.match(rows[0]!.gigs_free!, /^\d+(\.\d{1,2})?$/);
  assert.ok(Math.abs(Number(rows[0]!.gigs_free) - dfGigs) < 0.1, `${rows[0]!.gigs_free} vs df ${dfGigs.toFixed(2)}`);
});

// ---------- osquery_flags and the dot commands ----------

test('`select count(*) from osquery_flags;` counts every flag --help lists', async () => {
  const { oneShot, piped } = await bothWays('select count(*) from osquery_flags;');
  const [row] = sameTable(oneShot, piped);
  const names = await quarryi(['--list', '--header=false', 'select name from osquery_flags;']);
  const listed = names.stdout.trim().split('\n');
  assert.equal(Number(row?.['count(*)']), listed.length);
  assert.equal(new Set(listed).size, listed.length, 'one row per flag');
  const help = await quarryi(['--help']);
  const helpFlags = [...help.stdout.matchAll(/^ {4}--([a-z0-9_]+)/gm)].map((m) => m[1]!).filter((name) => name.length > 2);
  assert.ok(helpFlags.length > 50, 'the --help text lists the flags');
  for (const name of helpFlags) assert.ok(listed.includes(name), `--${name} from --help is in osquery_flags`);
});

test('`.tables`, `.schema users`, `.show`, `.features`, `.mode pretty`, `.exit`', async () => {
  const tables = await bothWays('.tables');
  for (const run of [tables.oneShot, tables.piped]) {
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    for (const line of lines) assert.match(line, /^ {2}=> [a-z0-9_]+$/);
    assert.deepEqual([...lines].sort(), lines, 'sorted');
    for (const name of ['uptime', 'shadow', 'users', 'processes', 'shell_history', 'time', 'mounts', 'osquery_flags', 'osquery_events', 'file_events', 'user_events']) {
      assert.ok(lines.includes(`  => ${name}`), name);
    }
  }
  const filtered = await quarryi(['.tables user']);
  assert.ok(filtered.stdout.trimEnd().split('\n').every((line) => line.startsWith('  => user')), filtered.stdout);

  const schema = await bothWays('.schema users');
  const columns = prettyHeader((await quarryi(['select * from users limit 1;'])).stdout);
  for (const run of [schema.oneShot, schema.piped]) {
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^CREATE TABLE users\(`uid` BIGINT, .*;\n$/);
    const declared = [...run.stdout.matchAll(/`([a-z_]+)` [A-Z]+(?: COLLATE NOCASE)?(?: HIDDEN)?/g)].filter((m) => !m[0].includes('HIDDEN')).map((m) => m[1]);
    assert.deepEqual(declared, columns, '.schema users declares the columns select * returns');
  }

  const show = await quarryi([], { input: '.mode line\n.show\n.mode pretty\n.show\n' });
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /Shell settings:[\s\S]*mode: line[\s\S]*Shell settings:[\s\S]*mode: pretty/);
  assert.match(show.stdout, /Non-default flags\/options:\n(.*\n)*\s+disable_events: true/);

  const features = await quarryi(['.features']);
  const flags = await quarryi(['--list', '--header=false', "select name, value from osquery_flags where (name like 'disable_%' or name like 'enable_%') and type='bool';"]);
  assert.equal(features.status, 0, features.stderr);
  assert.deepEqual(
    features.stdout.trim().split('\n').sort(),
    flags.stdout.trim().split('\n').map((line) => line.replace('|', ': ')).sort(),
  );

  const exit = await quarryi([], { input: 'select 1 as before_exit;\n.exit\nselect 2 as after_exit;\n' });
  assert.equal(exit.status, 0, exit.stderr);
  assert.match(exit.stdout, /before_exit/);
  assert.doesNotMatch(exit.stdout, /after_exit/);
});

// ---------- the interactive prompt ----------

test('at the prompt: `select` `*` `from` `uptime` `;` on five lines with the `    ...> ` continuation, then `.mode line` and local_time', async () => {
  const session = new PromptSession([]);
  try {
    await session.waitFor(/quarry> $/);
    const continuation = /\n {4}\.\.\.> $/;
    assert.match(await session.type('select', continuation), /^select\n {4}\.\.\.> $/);
    await session.type('*', continuation);
    await session.type('from', continuation);
    await session.type('uptime', continuation);
    const uptime = Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]));
    const shown = await session.type(';');
    const rows = parsePretty(shown);
    assert.equal(rows.length, 1, shown);
    assert.ok(Math.abs(Number(rows[0]!.total_seconds) - uptime) <= 2);
    assert.deepEqual(prettyHeader(shown), ['days', 'hours', 'minutes', 'seconds', 'total_seconds']);

    await session.type('.mode line');
    const before = Math.floor(Date.now() / 1000);
    const line = await session.type('select local_time from time;');
    const after = Math.ceil(Date.now() / 1000);
    const match = /\nlocal_time = (\d+)\n/.exec(line);
    assert.ok(match, line);
    assert.ok(Number(match[1]) >= before && Number(match[1]) <= after);
    const formatted = await session.type("select datetime(local_time, 'unixepoch', 'localtime') as formatted_time from time;");
    assert.match(formatted, /\nformatted_time = \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n/);
    await session.type('.mode pretty');
    assert.match(await session.type('select count(*) from users;'), /\| count\(\*\) \|/);
    assert.equal(await session.exit(), 0);
  } finally {
    session.kill();
  }
});
