/**
 * The workshop's Lab 1 and Lab 2 queries (seed-workshop.txt), run through the real quarryi in one-shot and stdin
 * mode, compared with what the system itself reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { quarryi } from './quarryi.js';

function passwdEntries(): { username: string; uid: number; gid: number; description: string; directory: string }[] {
  return readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const [username = '', , uid = '0', gid = '0', description = '', directory = ''] = line.split(':');
      return { username, uid: Number(uid), gid: Number(gid), description, directory };
    });
}

function json(args: string[], input?: string): Record<string, string>[] {
  const run = quarryi(['--json', ...args], input === undefined ? {} : { input });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, string>[];
}

test('Lab 1: select * from uptime matches /proc/uptime', () => {
  const [row] = json(['select * from uptime']);
  const procSeconds = Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]));
  assert.ok(row);
  assert.ok(Math.abs(Number(row.total_seconds) - procSeconds) <= 2, `${row.total_seconds} vs ${procSeconds}`);
  const total = Number(row.total_seconds);
  assert.equal(Number(row.days), Math.floor(total / 86400));
});

test('Lab 2: count(*) from users equals the /etc/passwd entries, in one-shot and stdin mode', () => {
  // Other tests on this machine may add a user meanwhile: accept the count from just before or just after.
  const runs = [
    () => quarryi(['--list', '--header=false', 'select count(*) from users']),
    () => quarryi(['--list', '--header=false'], { input: 'select count(*)\nfrom users;\n' }),
  ];
  for (const runOnce of runs) {
    const before = passwdEntries().length;
    const run = runOnce();
    const after = passwdEntries().length;
    assert.equal(run.status, 0, run.stderr);
    assert.ok([before, after].includes(Number(run.stdout.trim())), `${run.stdout.trim()} vs ${before}/${after}`);
  }
});

test('Lab 2: uid, gid, username, description, directory ordered by uid match /etc/passwd', () => {
  const rows = json(['select uid, gid, username, description, directory from users order by uid asc limit 5']);
  const expected = passwdEntries()
    .sort((a, b) => a.uid - b.uid)
    .slice(0, 5);
  assert.deepEqual(
    rows.map((row) => row.uid),
    expected.map((entry) => String(entry.uid)),
  );
  const byName = new Map(passwdEntries().map((entry) => [entry.username, entry]));
  for (const row of rows) {
    const entry = byName.get(row.username ?? '');
    assert.ok(entry, `user ${row.username} is in /etc/passwd`);
    assert.equal(row.gid, String(entry.gid));
    assert.equal(row.directory, entry.directory);
  }
});

test("Lab 2: WHERE username='root' and LIKE 'system%'", () => {
  const root = json(["select uid, gid, username, description, directory from users where username='root'"]);
  assert.deepEqual(root.map((row) => row.uid), ['0']);
  const like = json(["select username from users where username like 'system%'"]);
  const expected = passwdEntries().map((entry) => entry.username).filter((name) => name.toLowerCase().startsWith('system'));
  assert.deepEqual(like.map((row) => row.username).sort(), expected.sort());
});

test('Lab 2: processes JOIN users names the owner of this very process', () => {
  const rows = json([`select p.pid, p.name, u.uid, u.username from processes p join users u on u.uid=p.uid where p.pid = ${process.pid}`]);
  const uid = process.getuid?.() ?? 0;
  const user = passwdEntries().find((entry) => entry.uid === uid);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.uid, String(uid));
  assert.equal(rows[0]?.username, user?.username);
});

test('Lab 2: .mode line on stdin, time and datetime()', () => {
  const before = Math.floor(Date.now() / 1000);
  const run = quarryi([], {
    input: ".mode line\nselect local_time from time;\nselect datetime(local_time, 'unixepoch') as formatted_time from time;\n",
  });
  assert.equal(run.status, 0, run.stderr);
  const match = /^local_time = (\d+)\nformatted_time = (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\n$/.exec(run.stdout);
  assert.ok(match, run.stdout);
  assert.ok(Math.abs(Number(match[1]) - before) <= 5 * 3600 * 24, 'local_time is near now');
});

test("Lab 2: mounts where path = '/' agrees with stat -f /", () => {
  const [row] = json(["select path, type, blocks_available, blocks_size from mounts where path = '/'"]);
  const stat = execFileSync('stat', ['-f', '-c', '%S %a', '/'], { encoding: 'utf8' }).trim().split(' ').map(Number);
  const [blockSize = 0, available = 0] = stat;
  assert.ok(row);
  assert.equal(row.path, '/');
  assert.equal(Number(row.blocks_size), blockSize);
  // Free space moves while other processes write; allow a small drift.
  assert.ok(Math.abs(Number(row.blocks_available) - available) <= Math.max(1000, available * 0.01), `${row.blocks_available} vs ${available}`);
  const fsType = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields[1] === '/')
    .pop()?.[2];
  assert.equal(row.type, fsType);
  const line = quarryi(['--line', "select path, type, round((blocks_available * blocks_size *10e-10),2) as gigs_free from mounts where path='/'"]);
  assert.equal(line.status, 0, line.stderr);
  const gigs = Number(/gigs_free = ([\d.]+)/.exec(line.stdout)?.[1]);
  assert.ok(Math.abs(gigs - (available * blockSize * 10e-10)) < 1, `${gigs}`);
});

test('a table with a required column unconstrained exits 19 with osquery\'s message', () => {
  const run = quarryi(['select * from hash']);
  assert.equal(run.status, 19);
  assert.match(run.stderr, /Error: Table hash was queried without a required column in the WHERE clause\n$/);
});

test('.schema users prints osquery\'s CREATE TABLE line; .tables lists the lab tables', () => {
  const schema = quarryi(['.schema users']);
  assert.equal(schema.status, 0, schema.stderr);
  assert.match(schema.stdout, /^CREATE TABLE users\(`uid` BIGINT, `gid` BIGINT, .*`username` TEXT.*\)( WITHOUT ROWID)?;\n$/);
  const tables = quarryi(['.tables']);
  for (const name of ['mounts', 'processes', 'time', 'uptime', 'users']) assert.ok(tables.stdout.includes(`  => ${name}\n`), name);
  const lines = tables.stdout.trimEnd().split('\n');
  assert.deepEqual([...lines].sort(), lines, 'sorted');
});
