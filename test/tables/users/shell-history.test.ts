import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { select, sqlWithWarnings } from '../engine.js';
import { lines, run } from '../system-tools.js';

test('shell_history of a real account, by uid: bash #epoch lines, zsh extended lines and plain lines', (t) => {
  const name = `qhist${process.pid}`;
  run('useradd', ['--create-home', '--shell', '/bin/bash', name]);
  t.after(() => run('userdel', ['--remove', name]));
  const [, , uid, gid, , home] = lines(run('getent', ['passwd', name]))[0]!.split(':');
  const bash = '#1700000000\nls -la /tmp\n#1700000060\necho "two words"\nuntimed command\n';
  const zsh = ': 1700000100:0;git status\n: 1700000200:3;make test\nplain zsh line\n';
  for (const [file, text] of [['.bash_history', bash], ['.zsh_history', zsh]] as const) {
    writeFileSync(`${home}/${file}`, text);
    chownSync(`${home}/${file}`, Number(uid), Number(gid));
  }
  mkdirSync(`${home}/.bash_sessions`);
  writeFileSync(`${home}/.bash_sessions/A1.history`, 'session command\n');
  chownSync(`${home}/.bash_sessions/A1.history`, Number(uid), Number(gid));

  const { rows, warnings } = sqlWithWarnings(`select * from shell_history where uid = ${Number(uid)}`);
  assert.deepEqual(warnings, [], 'a uid constraint needs no warning');
  assert.deepEqual(
    rows.map((r) => [r.uid, r.time, r.command, r.history_file]),
    [
      [Number(uid), 1700000000, 'ls -la /tmp', `${home}/.bash_history`],
      [Number(uid), 1700000060, 'echo "two words"', `${home}/.bash_history`],
      [Number(uid), 0, 'untimed command', `${home}/.bash_history`],
      [Number(uid), 1700000100, 'git status', `${home}/.zsh_history`],
      [Number(uid), 1700000200, 'make test', `${home}/.zsh_history`],
      [Number(uid), 0, 'plain zsh line', `${home}/.zsh_history`],
      [Number(uid), 0, 'session command', `${home}/.bash_sessions/A1.history`],
    ],
  );
});

test('shell_history joined against users reads each account (the workshop query), by uid', (t) => {
  const name = `qjoin${process.pid}`;
  run('useradd', ['--create-home', name]);
  t.after(() => run('userdel', ['--remove', name]));
  const [, , uid, gid, , home] = lines(run('getent', ['passwd', name]))[0]!.split(':');
  writeFileSync(`${home}/.bash_history`, 'whoami\n');
  chownSync(`${home}/.bash_history`, Number(uid), Number(gid));
  const { rows, warnings } = sqlWithWarnings('select * from shell_history WHERE shell_history.uid IN (SELECT uid from users)');
  assert.deepEqual(warnings, []);
  assert.ok(rows.some((r) => r.uid === Number(uid) && r.command === 'whoami' && r.history_file === `${home}/.bash_history`));
});

test('shell_history without a uid covers the current user only and warns as osquery does', () => {
  const { rows, warnings } = sqlWithWarnings('select * from shell_history');
  assert.deepEqual(warnings, [
    'The shell_history table returns data based on the current user by default, consider JOINing against the users table',
  ]);
  const me = Number(run('id', ['-u']).trim());
  assert.ok(rows.every((r) => r.uid === me));
});

test('shell_history skips a history file that is a symlink to a file the user does not own', (t) => {
  const name = `qhlink${process.pid}`;
  run('useradd', ['--create-home', name]);
  t.after(() => run('userdel', ['--remove', name]));
  const [, , uid, , , home] = lines(run('getent', ['passwd', name]))[0]!.split(':');
  run('ln', ['-s', '/etc/shadow', `${home}/.bash_history`]);
  assert.deepEqual(select('shell_history', { uid: [Number(uid)] }), []);
});
