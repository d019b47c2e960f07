import { test } from 'node:test';
import assert from 'node:assert/strict';
import { users } from '@quarry/tables/users/users';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

/** getent's view of /etc/passwd alone (the "files" NSS source), the source osquery's users table reads. */
function passwdFromFiles(...keys: string[]): string[][] {
  return lines(run('getent', ['-s', 'files', 'passwd', ...keys])).map((l) => l.split(':'));
}

test('users has one row per /etc/passwd account, with the fields getent prints', () => {
  const expected = passwdFromFiles();
  const rows = select('users');
  assert.equal(rows.length, expected.length, 'select count(*) from users');
  expected.forEach((fields, i) => {
    const row = rows[i]!;
    assert.deepEqual(
      [row.username, row.uid, row.gid, row.description, row.directory, row.shell],
      [fields[0], Number(fields[2]), Number(fields[3]), fields[4], fields[5], fields[6]],
    );
    assert.equal(row.uid_signed, Number(fields[2]) | 0);
    assert.equal(row.uuid, '');
  });
});

test("users where username='systemd-timesync' (or any account) filters on the constraint", () => {
  const someone = passwdFromFiles().find((f) => f[0] === 'systemd-timesync') ?? passwdFromFiles()[1]!;
  const rows = select('users', { username: [someone[0]!] });
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.uid, Number(someone[2]));
  const byUid = select('users', { uid: [Number(someone[2]), 0] });
  assert.deepEqual(byUid.map((r) => r.username).sort(), [someone[0], 'root'].sort());
  assert.deepEqual(select('users', { uid: [4123456789] }), []);
});

test('users with include_remote=1 answers through NSS, as getent passwd does', () => {
  const rows = select('users', { include_remote: [1], uid: [0] }, '*, include_remote');
  const [fields] = lines(run('getent', ['passwd', '0'])).map((l) => l.split(':'));
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.username, fields![0]);
  assert.equal(rows[0]!.include_remote, 1);
});

test('include_remote=1: a username starting with "-" is a key for getent, never one of its options', () => {
  // Without `--` before the keys, getent would stop at the unknown option and answer nothing, not even root.
  const rows = select('users', { include_remote: [1], username: ['--bogus-option', 'root'] }, 'username, uid');
  assert.deepEqual(rows, [{ username: 'root', uid: 0 }]);
  assert.deepEqual(select('users', { include_remote: [1], username: ['--help'] }), []);
});
