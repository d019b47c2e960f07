/**
 * Quarry runs as root and reads files in users' homes (authorized_keys, known_hosts, ~/.ssh keys, shell history).
 * A user controls those paths: symlinks to files only root may read must not be followed, a FIFO must not hang the
 * query, and a huge file must not be read into memory. Each case sits next to a normal file that must still be read.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, lchownSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { authorized_keys, createHashTable, known_hosts, user_ssh_keys } from '@quarry/tables/files/index';
import { shellHistory } from '@quarry/tables/users/index';
import { engineWith, mustRun, rows, sqlText, tool } from '../host-context.js';

const USER = `qsafe${process.pid % 100000}`;
const HOME = `/tmp/quarry-safe-home-${process.pid}`;
const ROOT_SESSIONS = `/tmp/quarry-safe-root-${process.pid}`;
let uid = -1;

before(() => {
  tool('userdel', [USER]);
  mustRun('useradd', ['-M', '-d', HOME, '-s', '/bin/false', USER]);
  uid = Number(mustRun('id', ['-u', USER]).trim());
  mkdirSync(`${HOME}/.ssh`, { recursive: true });
  // known_hosts → /etc/shadow: following it would print each shadow line as a key.
  symlinkSync('/etc/shadow', `${HOME}/.ssh/known_hosts`);
  // authorized_keys is a FIFO nobody writes to: opening it without O_NONBLOCK blocks forever.
  mustRun('mkfifo', [`${HOME}/.ssh/authorized_keys`]);
  mustRun('mkfifo', [`${HOME}/.ssh/id_fifo`]);
  mustRun('ssh-keygen', ['-q', '-f', `${HOME}/.ssh/id_ed25519`, '-t', 'ed25519', '-N', '', '-C', 'safe@quarry']);
  writeFileSync(`${HOME}/.ssh/authorized_keys2`, readFileSync(`${HOME}/.ssh/id_ed25519.pub`));
  // A private key of root's reached through a symlink in the user's ~/.ssh.
  mkdirSync(ROOT_SESSIONS, { mode: 0o700 });
  mustRun('ssh-keygen', ['-q', '-f', `${ROOT_SESSIONS}/id_root`, '-t', 'ed25519', '-N', '', '-C', 'root@quarry']);
  symlinkSync(`${ROOT_SESSIONS}/id_root`, `${HOME}/.ssh/id_root_link`);
  // ~/.bash_sessions → a root-owned directory with root's session history.
  writeFileSync(`${ROOT_SESSIONS}/root.history`, 'secret-root-command\n');
  symlinkSync(ROOT_SESSIONS, `${HOME}/.bash_sessions`);
  // A 60 MiB sparse history (over the 50 MiB read limit) and a normal one.
  writeFileSync(`${HOME}/.bash_history`, 'huge-file-command\n');
  truncateSync(`${HOME}/.bash_history`, 60 * 1024 * 1024);
  writeFileSync(`${HOME}/.zsh_history`, ': 1700000000:0;user-command\n');
  for (const path of [HOME, `${HOME}/.ssh`, `${HOME}/.ssh/id_ed25519`, `${HOME}/.bash_history`, `${HOME}/.zsh_history`]) chownSync(path, uid, uid);
  for (const path of [`${HOME}/.ssh/known_hosts`, `${HOME}/.bash_sessions`, `${HOME}/.ssh/id_root_link`]) lchownSync(path, uid, uid);
});

after(() => {
  tool('userdel', [USER]);
  rmSync(HOME, { recursive: true, force: true });
  rmSync(ROOT_SESSIONS, { recursive: true, force: true });
});

test('known_hosts does not follow a symlink to /etc/shadow', async () => {
  const engine = await engineWith(known_hosts);
  assert.deepEqual(rows(engine, `SELECT key FROM known_hosts WHERE uid = ${uid}`), []);
});

test('authorized_keys skips a FIFO without hanging and still reads authorized_keys2', async () => {
  const engine = await engineWith(authorized_keys);
  const got = rows(engine, `SELECT key_file, comment FROM authorized_keys WHERE uid = ${uid}`);
  assert.deepEqual(got, [{ key_file: `${HOME}/.ssh/authorized_keys2`, comment: 'safe@quarry' }]);
});

test("user_ssh_keys skips a FIFO and a symlink to root's key, and reads the user's own key", async () => {
  const engine = await engineWith(user_ssh_keys);
  const got = rows(engine, `SELECT path FROM user_ssh_keys WHERE uid = ${uid}`);
  assert.deepEqual(got, [{ path: `${HOME}/.ssh/id_ed25519` }]);
});

test('shell_history: no symlinked session directory, no file over the read limit, the normal file is read', async () => {
  const engine = await engineWith(shellHistory);
  const got = rows(engine, `SELECT command, history_file FROM shell_history WHERE uid = ${uid}`);
  assert.deepEqual(got, [{ command: 'user-command', history_file: `${HOME}/.zsh_history` }]);
});

test('hash skips a FIFO (opened non-blocking, checked on the descriptor) and hashes a regular file', async () => {
  const engine = await engineWith(createHashTable());
  assert.deepEqual(rows(engine, `SELECT md5 FROM hash WHERE path = ${sqlText(`${HOME}/.ssh/id_fifo`)}`), []);
  const expected = mustRun('sha256sum', [`${HOME}/.zsh_history`]).split(' ')[0];
  assert.deepEqual(rows(engine, `SELECT sha256 FROM hash WHERE path = ${sqlText(`${HOME}/.zsh_history`)}`), [{ sha256: expected }]);
});
