// The workshop's users queries, run as SQL and compared with getent's view of /etc/passwd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../engine.js';
import { lines, run } from '../system-tools.js';

const passwd = () => lines(run('getent', ['-s', 'files', 'passwd'])).map((l) => l.split(':'));

test('select * from users limit 5 and select count(*) from users', () => {
  const expected = passwd();
  assert.deepEqual(sql('select * from users limit 5').map((r) => r.username), expected.slice(0, 5).map((f) => f[0]));
  assert.deepEqual(sql('select count(*) from users'), [{ 'count(*)': expected.length }]);
});

test('select uid, gid, username, description, directory from users order by uid asc limit 5', () => {
  const expected = passwd()
    .map((f) => ({ uid: Number(f[2]), gid: Number(f[3]), username: f[0], description: f[4], directory: f[5] }))
    .sort((a, b) => a.uid - b.uid)
    .slice(0, 5);
  assert.deepEqual(sql('select uid, gid, username, description, directory from users order by uid asc limit 5'), expected);
});

test("users where username='systemd-timesync' and where username like 'system%'", () => {
  const expected = passwd();
  const timesync = expected.filter((f) => f[0] === 'systemd-timesync');
  assert.deepEqual(
    sql("select uid, gid, username, description, directory from users where username='systemd-timesync'"),
    timesync.map((f) => ({ uid: Number(f[2]), gid: Number(f[3]), username: f[0], description: f[4], directory: f[5] })),
  );
  assert.deepEqual(
    sql("select username from users where username like 'system%'").map((r) => r.username),
    expected.filter((f) => f[0]!.toLowerCase().startsWith('system')).map((f) => f[0]),
  );
});
