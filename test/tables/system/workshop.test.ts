// The workshop's system queries, run as SQL and compared with date, uptime and df.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../engine.js';
import { lines, run } from '../system-tools.js';

test('select * from uptime', () => {
  const rows = sql('select * from uptime');
  assert.equal(rows.length, 1);
  assert.deepEqual(Object.keys(rows[0]!), ['days', 'hours', 'minutes', 'seconds', 'total_seconds']);
  const boot = Number(run('sh', ['-c', 'date -d "$(uptime -s)" +%s']));
  assert.ok(Math.abs(Math.floor(Date.now() / 1000) - boot - (rows[0]!.total_seconds as number)) <= 2);
});

test("select local_time from time, and datetime(local_time,'unixepoch','localtime') as date(1) prints it", () => {
  const [row] = sql("select local_time, datetime(local_time, 'unixepoch', 'localtime') as formatted_time from time");
  const local = row!.local_time as number;
  assert.ok(Math.abs(local - Number(run('date', ['+%s']))) <= 2);
  assert.equal(row!.formatted_time, run('date', ['-d', `@${local}`, '+%Y-%m-%d %H:%M:%S']).trim());
});

test("select path, type, blocks_available, blocks_size from mounts where path = '/' agrees with df", () => {
  const rows = sql("select path, type, blocks_available, blocks_size, round((blocks_available * blocks_size * 10e-10), 2) as gigs_free from mounts where path = '/'");
  const root = rows[rows.length - 1]!;
  const [type, avail] = lines(run('df', ['-B1', '--output=fstype,avail', '/']))[1]!.trim().split(/\s+/);
  assert.equal(root.type, type);
  const bytes = (root.blocks_available as number) * (root.blocks_size as number);
  assert.ok(Math.abs(bytes - Number(avail)) <= Math.max(1 << 20, Number(avail) * 0.01), `${bytes} vs df ${avail}`);
  assert.equal(root.gigs_free, Math.round(bytes * 10e-10 * 100) / 100);
});
