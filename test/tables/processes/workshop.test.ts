// The workshop's processes queries, run as SQL and compared with ps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../engine.js';
import { lines, run } from '../system-tools.js';

test('select pid, name, cmdline from processes limit 5 gives the first five processes ps lists', () => {
  const rows = sql('select pid, name, cmdline from processes limit 5');
  assert.equal(rows.length, 5);
  const ps = lines(run('ps', ['-e', '-o', 'pid=,comm=', '--sort', 'pid'])).slice(0, 5).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(rows.map((r) => [r.pid, r.name]), ps.map(([pid, comm]) => [Number(pid), comm]));
});

test('select p.pid, p.name, u.uid, u.username from processes p join users u on u.uid=p.uid matches ps -o pid,uid,user', () => {
  const rows = sql('select p.pid, p.name, u.uid, u.username from processes p join users u on u.uid=p.uid');
  const ps = new Map(lines(run('ps', ['-e', '-o', 'pid=,uid=,user:32='])).map((l) => {
    const [pid, uid, user] = l.trim().split(/\s+/);
    return [Number(pid), { uid: Number(uid), user }];
  }));
  assert.ok(rows.length > 0);
  assert.ok(rows.some((r) => r.pid === process.pid));
  for (const row of rows) {
    const seen = ps.get(row.pid as number);
    if (seen === undefined) continue; // exited between the two reads
    assert.equal(row.uid, seen.uid, `uid of pid ${row.pid}`);
    assert.equal(row.username, seen.user, `user of pid ${row.pid}`);
  }
});

test('select * from processes where pid in (...) returns only those processes', () => {
  const rows = sql(`select pid, parent from processes where pid in (${process.pid}, ${process.ppid}, 999999999)`);
  assert.deepEqual(rows.map((r) => r.pid).sort(), [process.pid, process.ppid].sort());
  assert.equal(rows.find((r) => r.pid === process.pid)?.parent, process.ppid);
});
