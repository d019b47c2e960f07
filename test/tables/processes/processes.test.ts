import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processes } from '@quarry/tables/processes/processes';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

function psPids(): Set<number> {
  return new Set(lines(run('ps', ['-e', '-o', 'pid='])).map(Number));
}

test('processes lists every pid ps -e sees (before and after the scan)', () => {
  const before = psPids();
  const rows = select('processes');
  const after = psPids();
  const listed = new Set(rows.map((r) => r.pid as number));
  for (const pid of before) if (after.has(pid)) assert.ok(listed.has(pid), `pid ${pid} missing`);
  assert.ok(listed.has(process.pid));
});

test('processes where pid = N reads only that process, with the values ps, pwdx and readlink report', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-proc-'));
  const child = spawn('sleep', ['1000'], { cwd: dir, stdio: 'ignore' });
  t.after(() => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  await new Promise((resolve) => child.once('spawn', resolve));
  const pid = child.pid!;
  // Let sleep finish loading (its resident size grows until it is asleep) so ps and the table see the same figures.
  for (let i = 0; i < 200 && run('ps', ['-o', 'stat=,wchan=', '-p', String(pid)]).trim().split(/\s+/)[1] !== 'hrtimer_nanosleep'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const rows = select('processes', { pid: [pid] });
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  const ps = run('ps', ['-o', 'ppid=,pgid=,uid=,gid=,euid=,egid=,suid=,sgid=,ni=,nlwp=,rss=,vsz=,stat=,comm=', '-p', String(pid)]).trim().split(/\s+/);
  const [ppid, pgid, uid, gid, euid, egid, suid, sgid, ni, nlwp, rss, vsz, stat, comm] = ps;
  assert.deepEqual(
    [row.parent, row.pgroup, row.uid, row.gid, row.euid, row.egid, row.suid, row.sgid, row.nice, row.threads],
    [ppid, pgid, uid, gid, euid, egid, suid, sgid, ni, nlwp].map(Number),
  );
  assert.equal(row.resident_size, Number(rss) * 1024);
  assert.equal(row.total_size, Number(vsz) * 1024);
  assert.equal(row.state, stat![0]);
  assert.equal(row.name, comm);
  assert.equal(row.cmdline, run('ps', ['-o', 'args=', '-p', String(pid)]).trim());
  assert.equal(row.cwd, run('pwdx', [String(pid)]).trim().split(': ')[1]);
  assert.equal(row.path, run('readlink', ['-f', `/proc/${pid}/exe`]).trim());
  assert.equal(row.root, '/');
  assert.equal(row.on_disk, 1);
  assert.equal(row.wired_size, 0);
  const lstart = Date.parse(run('ps', ['-o', 'lstart=', '-p', String(pid)]).trim()) / 1000;
  assert.ok(Math.abs((row.start_time as number) - lstart) <= 1, `start_time ${row.start_time} vs ps lstart ${lstart}`);
  assert.ok(typeof row.disk_bytes_read === 'number' && typeof row.disk_bytes_written === 'number');
  assert.match(String(row.cgroup_path), /^\/|^$/);
  assert.equal(row.cgroup_path, run('sh', ['-c', `head -1 /proc/${pid}/cgroup | cut -d: -f3-`]).trim());
});

test('processes reports on_disk = 0 and strips " (deleted)" when the executable was removed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-deleted-'));
  const binary = join(dir, 'quarry-sleeper');
  copyFileSync(run('sh', ['-c', 'command -v sleep']).trim(), binary);
  run('chmod', ['755', binary]);
  const child = spawn(binary, ['1000'], { stdio: 'ignore' });
  t.after(() => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  await new Promise((resolve) => child.once('spawn', resolve));
  unlinkSync(binary);
  const [row] = select('processes', { pid: [child.pid!] });
  assert.equal(row?.on_disk, 0);
  assert.equal(row?.path, binary);
});

test('processes skips constrained pids that do not exist, and reads only the columns a query uses', () => {
  assert.deepEqual(select('processes', { pid: [999999999] }), []);
  const [row] = select('processes', { pid: [process.pid] }, 'pid, name, cmdline');
  assert.equal(row?.pid, process.pid);
  assert.equal(row?.name, run('ps', ['-o', 'comm=', '-p', String(process.pid)]).trim());
  assert.equal(row?.cgroup_path, undefined);
});
