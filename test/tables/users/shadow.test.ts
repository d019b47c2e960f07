import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { shadow } from '@quarry/tables/users/shadow';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

const asNumber = (field: string | undefined) => (field === undefined || field === '' ? -1 : Number(field));

test('select * from shadow (as root) gives every /etc/shadow account with the ageing fields getent prints', () => {
  assert.equal(process.getuid?.(), 0, 'this test runs as root, as the workshop does with sudo');
  const expected = lines(run('getent', ['-s', 'files', 'shadow'])).map((l) => l.split(':'));
  const rows = select('shadow');
  assert.equal(rows.length, expected.length);
  expected.forEach((fields, i) => {
    const row = rows[i]!;
    assert.equal(row.username, fields[0]);
    assert.deepEqual(
      [row.last_change, row.min, row.max, row.warning, row.inactive, row.expire],
      fields.slice(2, 8).map(asNumber),
    );
    const password = fields[1]!;
    const status = password === '!!' ? 'not_set' : password === '' ? 'empty' : /^[!*x]/.test(password) ? 'locked' : 'active';
    assert.equal(row.password_status, status);
    assert.equal(row.hash_alg, /^\$(\w+)\$/.exec(password)?.[1] ?? '');
  });
  assert.deepEqual(select('shadow', { username: ['root'] }).map((r) => r.username), ['root']);
});

test('select * from shadow as an ordinary user (nobody) fails with a clear error naming the file and the uid', () => {
  const script = fileURLToPath(new URL('./shadow-as-user.fixture.ts', import.meta.url));
  const nobodyUid = Number(run('id', ['-u', 'nobody']).trim());
  const result = spawnSync('setpriv', [`--reuid=${nobodyUid}`, `--regid=${nobodyUid}`, '--clear-groups', process.execPath, '--import', 'tsx', script], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    env: { ...process.env, HOME: '/tmp', TSX_DISABLE_CACHE: '1' },
  });
  assert.equal(result.status, 0, result.stderr);
  const outcome = JSON.parse(result.stdout.trim().split('\n').pop()!);
  assert.equal(outcome.queryError, true, result.stdout);
  assert.equal(outcome.code, 1);
  assert.equal(outcome.message, `shadow requires root: /etc/shadow is not readable by uid ${nobodyUid}; run the query as root`);
});
