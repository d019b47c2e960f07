import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SUID_SEARCH_DIRECTORIES } from '@quarry/tables/files/suid_bin';
import { suid_bin } from '@quarry/tables/files/index';
import { engineWith, mustRun, rows } from '../host-context.js';

test('suid_bin lists the setuid/setgid files find -perm /6000 finds in osquery\'s directories', async () => {
  const dir = mkdtempSync('/tmp/quarry-suid-');
  try {
    copyFileSync('/bin/true', join(dir, 'both'));
    chmodSync(join(dir, 'both'), 0o6755);
    copyFileSync('/bin/true', join(dir, 'gid'));
    chmodSync(join(dir, 'gid'), 0o2755);
    const engine = await engineWith(suid_bin);
    const got = rows(engine, 'SELECT * FROM suid_bin');
    const found = mustRun('find', ['-H', ...SUID_SEARCH_DIRECTORIES.filter((d) => mustRun('sh', ['-c', `test -e ${d} && echo y || echo n`]).trim() === 'y'), '-type', 'f', '-perm', '/6000', '-printf', '%p|%u|%g|%m\\0'])
      .split('\0')
      .filter(Boolean);
    assert.equal(got.length, found.length);
    for (const line of found) {
      const [path, user, group, mode] = line.split('|') as [string, string, string, string];
      const row = got.find((r) => r.path === path);
      assert.ok(row, `${path} listed`);
      assert.equal(row.username, user);
      assert.equal(row.groupname, group);
      const bits = parseInt(mode, 8);
      assert.equal(row.permissions, `${bits & 0o4000 ? 'S' : ''}${bits & 0o2000 ? 'G' : ''}`);
    }
    assert.equal(got.find((r) => r.path === join(dir, 'both'))?.permissions, 'SG');
    assert.equal(got.find((r) => r.path === join(dir, 'gid'))?.permissions, 'G');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
