import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mounts } from '@quarry/tables/system/mounts';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

test("mounts where path='/' matches stat -f and findmnt (the workshop's free-space query)", () => {
  const rows = select('mounts').filter((r) => r.path === '/');
  assert.ok(rows.length >= 1);
  const root = rows[rows.length - 1]!; // the top-most mount of / is the one in effect
  const [bsize, blocks, free, available, inodes, inodesFree] = run('stat', ['-f', '-c', '%s %b %f %a %c %d', '/']).trim().split(' ').map(Number);
  assert.equal(root.blocks_size, bsize);
  assert.equal(root.blocks, blocks);
  assert.equal(root.inodes, inodes);
  const near = (a: unknown, b: number, what: string) => assert.ok(Math.abs((a as number) - b) <= Math.max(256, b * 0.01), `${what}: ${a} vs ${b}`);
  near(root.blocks_free, free!, 'blocks_free');
  near(root.blocks_available, available!, 'blocks_available');
  near(root.inodes_free, inodesFree!, 'inodes_free');
  const [fstype, source, options] = run('findmnt', ['-n', '-r', '-o', 'FSTYPE,SOURCE,OPTIONS', '--mountpoint', '/']).trim().split('\n').pop()!.split(' ');
  assert.equal(root.type, fstype);
  assert.equal(root.flags, options);
  assert.ok(String(source).startsWith(String(root.device)) || source === root.device_alias, `device ${root.device} vs ${source}`);
  // df's size for / is blocks × block size.
  const dfSize = Number(lines(run('df', ['-B1', '--output=size', '/']))[1]);
  assert.equal((root.blocks as number) * (root.blocks_size as number), dfSize);
});

test('mounts lists every line of the kernel mount table, as findmnt --kernel does', () => {
  const expected = lines(run('findmnt', ['--kernel', '-l', '-n', '-o', 'TARGET'])).length;
  assert.equal(select('mounts').length, expected);
});
