import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

async function sleeper(t: { after(fn: () => void): void }, env: Record<string, string> = {}, stdinPath?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-pd-'));
  const input = stdinPath === undefined ? 'ignore' : 'pipe';
  const child = spawn('sh', ['-c', stdinPath === undefined ? 'exec sleep 1000' : `exec sleep 1000 < '${stdinPath}'`], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: [input, 'ignore', 'ignore'],
  });
  t.after(() => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  await new Promise((resolve) => child.once('spawn', resolve));
  // Wait for the exec into sleep.
  for (let i = 0; i < 100 && !run('ps', ['-o', 'comm=', '-p', String(child.pid)]).includes('sleep'); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return child.pid!;
}

test('process_envs splits each variable at the first "=", as ps e shows them', async (t) => {
  const pid = await sleeper(t, { QUARRY_VALUE: 'a=b c', QUARRY_EMPTY: '' });
  const rows = select('process_envs', { pid: [pid] });
  const env = new Map(rows.map((r) => [r.key, r.value]));
  assert.equal(env.get('QUARRY_VALUE'), 'a=b c');
  assert.equal(env.get('QUARRY_EMPTY'), '');
  assert.ok(rows.every((r) => r.pid === pid));
  // ps e appends the environment to the command: every variable appears there.
  const shown = run('ps', ['eww', '-o', 'args=', '-p', String(pid)]);
  for (const [key, value] of env) assert.ok(shown.includes(`${key}=${value}`), `${key} not in ps e output`);
});

test('process_open_files lists the files lsof sees, without sockets or pipes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-of-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'held open.txt');
  writeFileSync(file, 'x');
  const pid = await sleeper(t, {}, file);
  const rows = select('process_open_files', { pid: [pid] });
  assert.deepEqual(rows.find((r) => r.fd === 0), { pid, fd: 0, path: file });
  // lsof -F fn: lines "f<fd>" then "n<name>"; keep regular files and character devices with numeric fds.
  const lsof = lines(run('lsof', ['-a', '-p', String(pid), '-d', '0-999', '-F', 'ftn']));
  const expected: string[] = [];
  let fd = '';
  let type = '';
  for (const line of lsof) {
    if (line.startsWith('f')) fd = line.slice(1);
    else if (line.startsWith('t')) type = line.slice(1);
    else if (line.startsWith('n') && !['FIFO', 'sock', 'unix', 'IPv4', 'IPv6', 'a_inode'].includes(type)) expected.push(`${fd}:${line.slice(1)}`);
  }
  assert.deepEqual(rows.map((r) => `${r.fd}:${r.path}`).sort(), expected.sort());
});

test('process_memory_map matches pmap -X: addresses, permissions, offsets, inodes', async (t) => {
  const pid = await sleeper(t);
  const rows = select('process_memory_map', { pid: [pid] });
  const pmap = lines(run('pmap', ['-X', String(pid)])).slice(2, -2).map((l) => l.trim().split(/\s+/));
  assert.equal(rows.length, pmap.length);
  rows.forEach((row, i) => {
    const [address, perm, offset, , inode] = pmap[i]!;
    assert.equal(BigInt(row.start as string), BigInt(`0x${address}`));
    assert.equal(row.permissions, perm);
    assert.equal(BigInt(row.offset as number), BigInt(`0x${offset}`));
    assert.equal(row.inode, Number(inode));
    assert.equal(row.pseudo, row.inode === 0 && row.path !== '' ? 1 : 0);
  });
  assert.ok(rows.some((r) => r.path === '[stack]' && r.pseudo === 1));
});
