import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groups } from '@quarry/tables/users/groups';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

test('groups lists /etc/group as getent -s files group does', () => {
  const expected = lines(run('getent', ['-s', 'files', 'group'])).map((l) => l.split(':'));
  const rows = select('groups');
  assert.deepEqual(rows.map((r) => [r.groupname, r.gid]), expected.map((f) => [f[0], Number(f[2])]));
  const [first] = expected;
  assert.deepEqual(select('groups', { gid: [Number(first![2])] }).map((r) => r.groupname), [first![0]]);
});

test('user_groups gives each account the groups id -G lists', () => {
  const accounts = lines(run('getent', ['-s', 'files', 'passwd'])).map((l) => l.split(':'));
  const rows = select('user_groups');
  for (const account of accounts) {
    const expected = run('id', ['-G', account[0]!]).trim().split(/\s+/).map(Number).sort((a, b) => a - b);
    const actual = rows.filter((r) => r.uid === Number(account[2])).map((r) => r.gid as number).sort((a, b) => a - b);
    assert.deepEqual([...new Set(actual)], expected, `groups of ${account[0]}`);
  }
  const rootRows = select('user_groups', { uid: [0] });
  assert.ok(rootRows.every((r) => r.uid === 0) && rootRows.length >= 1);
});
