import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expandFilePathPattern, isExcludedPath, matchesFilePattern, resolveFilePattern } from '@quarry/config';
import { tempDir } from './helpers.js';

describe('file_paths patterns', () => {
  it('expands % and %% into a watch root, depth and glob', () => {
    assert.deepEqual(expandFilePathPattern('/etc/%%'), { pattern: '/etc/%%', glob: '/etc/**', root: '/etc', recursive: true, depth: undefined, literal: false });
    assert.deepEqual(expandFilePathPattern('/tmp/%'), { pattern: '/tmp/%', glob: '/tmp/*', root: '/tmp', recursive: false, depth: 1, literal: false });
    assert.deepEqual(expandFilePathPattern('/home/%/.ssh/'), { pattern: '/home/%/.ssh/', glob: '/home/*/.ssh/', root: '/home', recursive: false, depth: 3, literal: false });
    assert.deepEqual(expandFilePathPattern('/etc/passwd'), { pattern: '/etc/passwd', glob: '/etc/passwd', root: '/etc/passwd', recursive: false, depth: 1, literal: true });
    assert.equal(expandFilePathPattern('data/%%', '/srv').root, '/srv/data');
    assert.match(expandFilePathPattern('~/%').problem!, /"~" is not expanded/);
  });

  it('matches one level for %, any depth for %%, and a literal directory plus its children', () => {
    assert.ok(matchesFilePattern('/etc/%%', '/etc/ssh/sshd_config'));
    assert.ok(matchesFilePattern('/etc/%%', '/etc/hosts'));
    assert.ok(!matchesFilePattern('/etc/%%', '/etcetera/x'));
    assert.ok(matchesFilePattern('/tmp/%', '/tmp/a'));
    assert.ok(!matchesFilePattern('/tmp/%', '/tmp/a/b'));
    assert.ok(matchesFilePattern('/tmp/', '/tmp/a'));
    assert.ok(!matchesFilePattern('/tmp/', '/tmp/a/b'));
    assert.ok(matchesFilePattern('/var/tmp/filetest', '/var/tmp/filetest/new.txt'));
    assert.ok(matchesFilePattern('/etc/passwd', '/etc/passwd'));
    assert.ok(!matchesFilePattern('/etc/passwd', '/etc/shadow'));
  });

  it('applies partial-name wildcards (osquery ignores them: #4984) and filters after %% (osquery truncates: #6151)', () => {
    assert.ok(matchesFilePattern('/bin/%sh', '/bin/bash'));
    assert.ok(!matchesFilePattern('/bin/%sh', '/bin/ls'));
    assert.ok(matchesFilePattern('/home/%/%.ini', '/home/core/app.ini'));
    assert.ok(!matchesFilePattern('/home/%/%.ini', '/home/core/app.txt'));
    assert.ok(matchesFilePattern('/etc/%%/%.conf', '/etc/a/b/c.conf'));
    assert.ok(matchesFilePattern('/etc/%%/%.conf', '/etc/x.conf'));
    assert.ok(!matchesFilePattern('/etc/%%/%.conf', '/etc/a/b/c.txt'));
    assert.ok(matchesFilePattern('/var/log/app%%', '/var/log/app-2/x/y.log'));
    assert.ok(matchesFilePattern('/data/file_1', '/data/file_1'));
    assert.ok(!matchesFilePattern('/data/file_1', '/data/fileX1'), '_ is literal, not a one-character wildcard');
  });

  it('excludes whole subtrees and partial-name patterns (osquery compares those literally)', () => {
    const excludes = ['/etc/cache', '/home/%/%~', '/var/%/.%'];
    assert.ok(isExcludedPath(excludes, '/etc/cache'));
    assert.ok(isExcludedPath(excludes, '/etc/cache/deep/file'));
    assert.ok(isExcludedPath(excludes, '/home/bob/notes.txt~'));
    assert.ok(isExcludedPath(excludes, '/var/lib/.hidden'));
    assert.ok(!isExcludedPath(excludes, '/etc/hosts'));
    assert.ok(!isExcludedPath(excludes, '/home/bob/notes.txt'));
  });

  it('resolves patterns against the real filesystem (file table LIKE semantics)', () => {
    const root = tempDir();
    mkdirSync(join(root, 'a/b/c'), { recursive: true });
    mkdirSync(join(root, 'd'));
    for (const file of ['a/x.conf', 'a/b/y.conf', 'a/b/c/z.txt', 'd/w.conf', 'top.txt']) writeFileSync(join(root, file), file);
    symlinkSync(root, join(root, 'a/loop'));

    assert.deepEqual(resolveFilePattern(`${root}/%`), readdirSync(root).sort().map((name) => join(root, name)));
    assert.deepEqual(resolveFilePattern(`${root}/%/%.conf`), [join(root, 'a/x.conf'), join(root, 'd/w.conf')]);
    const recursive = resolveFilePattern(`${root}/a/%%`);
    assert.deepEqual(recursive, [
      join(root, 'a/b/'), join(root, 'a/b/c/'), join(root, 'a/b/c/z.txt'), join(root, 'a/b/y.conf'), join(root, 'a/loop'), join(root, 'a/x.conf'),
    ], 'directories get a trailing /, the symlink loop is not followed');
    assert.deepEqual(resolveFilePattern(`${root}/%%/%.conf`).sort(), [join(root, 'a/b/y.conf'), join(root, 'a/x.conf'), join(root, 'd/w.conf')]);
    assert.deepEqual(resolveFilePattern(`${root}/%`, { directoriesOnly: true }), [join(root, 'a'), join(root, 'd')]);
    assert.deepEqual(resolveFilePattern(`${root}/top.txt`), [join(root, 'top.txt')]);
    assert.deepEqual(resolveFilePattern(`${root}/missing/%`), []);
  });
});
