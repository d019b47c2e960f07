/**
 * pid_with_namespace reads a process's files through /proc/<pid>/root. A process chrooted into a temporary tree plays
 * the container: its absolute symlinks must resolve inside its root (never on the host), and '..' in a LIKE pattern
 * must not climb out of it.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etc_hosts } from '@quarry/tables/network/index';
import { createHashTable, file } from '@quarry/tables/files/index';
import { users } from '@quarry/tables/users/users';
import { engineWith, rows, sqlText } from '../host-context.js';

let tree: string;
let child: ChildProcess;

before(async () => {
  tree = mkdtempSync(join(tmpdir(), 'quarry-ns-'));
  mkdirSync(join(tree, 'etc'));
  mkdirSync(join(tree, 'data'));
  // Absolute links: inside the tree they name the tree's own files.
  writeFileSync(join(tree, 'etc', 'passwd-inside'), 'containeruser:x:4242:4242:in the box:/home/c:/bin/sh\n');
  symlinkSync('/etc/passwd-inside', join(tree, 'etc', 'passwd'));
  symlinkSync('/etc/shadow', join(tree, 'etc', 'hosts'));
  writeFileSync(join(tree, 'data', 'note'), 'inside\n');
  symlinkSync('/data/note', join(tree, 'data', 'link'));
  child = spawn('python3', ['-c', 'import os,sys,time\nos.chroot(sys.argv[1])\nprint("ready",flush=True)\ntime.sleep(60)', tree], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
});

after(() => {
  child?.kill();
  if (tree) rmSync(tree, { recursive: true, force: true });
});

test("users: the container's /etc/passwd → /etc/passwd-inside is read inside the container", async () => {
  const engine = await engineWith(users);
  const got = rows(engine, `SELECT username, uid, pid_with_namespace FROM users WHERE pid_with_namespace = ${child.pid}`);
  assert.deepEqual(got, [{ username: 'containeruser', uid: 4242, pid_with_namespace: child.pid }]);
});

test("etc_hosts: the container's /etc/hosts → /etc/shadow does not reach the host's /etc/shadow", async () => {
  const engine = await engineWith(etc_hosts);
  assert.deepEqual(rows(engine, `SELECT * FROM etc_hosts WHERE pid_with_namespace = ${child.pid}`), []);
});

test('file and hash follow an absolute link inside the container; ".." in a LIKE pattern stays inside', async () => {
  const engine = await engineWith(file, createHashTable());
  const [row] = rows(engine, `SELECT path, size, symlink FROM file WHERE path = '/data/link' AND pid_with_namespace = ${child.pid}`);
  assert.deepEqual(row, { path: '/data/link', size: 'inside\n'.length, symlink: 1 });
  const [hashed] = rows(engine, `SELECT sha256 FROM hash WHERE path = '/data/link' AND pid_with_namespace = ${child.pid}`);
  const [own] = rows(engine, `SELECT sha256 FROM hash WHERE path = ${sqlText(join(tree, 'data', 'note'))}`);
  assert.equal(hashed!.sha256, own!.sha256);
  const climbing = `/../../../../etc/host%`;
  assert.deepEqual(rows(engine, `SELECT path FROM file WHERE path LIKE '${climbing}' AND pid_with_namespace = ${child.pid}`), []);
});
