/** `%` vs `%%`, leaf filters, single files, exclude_paths, and a file written right after mkdir under `%%`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { ExcludeMatcher, expandFilePattern, toBytes } from '@quarry/publishers';
import { startPublisher, sub, tempTree, waitFor } from './helpers.js';

test('% watches one level, %% the whole tree', async () => {
  const tree = tempTree();
  mkdirSync(`${tree.dir}/one/two/three`, { recursive: true });
  const run = await startPublisher([sub('shallow', `${tree.dir}/one/%`), sub('deep', `${tree.dir}/%%`)], 'file_events');
  const shallowOnly = await startPublisher([sub('shallow', `${tree.dir}/one/%`)], 'shallow_events');
  try {
    writeFileSync(`${tree.dir}/one/top`, '1');
    writeFileSync(`${tree.dir}/one/two/three/deep`, '2');
    await run.waitOn(`${tree.dir}/one/two/three/deep`);
    await shallowOnly.waitOn(`${tree.dir}/one/top`);
    await run.quiet();
    assert.equal(shallowOnly.on(`${tree.dir}/one/two/three/deep`).length, 0, '% must not report two levels down');
    assert.equal(run.on(`${tree.dir}/one/top`)[0]!.category, 'shallow', 'first matching category in config order');
  } finally {
    await run.stop();
    await shallowOnly.stop();
    tree.cleanup();
  }
});

test('leaf patterns filter names (%sh, %%/%.conf) and a file path watches only that file, even when replaced', async () => {
  const tree = tempTree();
  mkdirSync(`${tree.dir}/etc/sub`, { recursive: true });
  const run = await startPublisher([
    sub('shells', `${tree.dir}/%sh`),
    sub('confs', `${tree.dir}/etc/%%/%.conf`),
    sub('one', `${tree.dir}/etc/passwd`),
  ]);
  try {
    writeFileSync(`${tree.dir}/bash`, '');
    writeFileSync(`${tree.dir}/python`, '');
    writeFileSync(`${tree.dir}/etc/sub/a.conf`, '');
    writeFileSync(`${tree.dir}/etc/sub/a.txt`, '');
    writeFileSync(`${tree.dir}/etc/passwd.tmp`, 'root');
    renameSync(`${tree.dir}/etc/passwd.tmp`, `${tree.dir}/etc/passwd`); // editor-style replace
    await run.waitOn(`${tree.dir}/bash`);
    await run.waitOn(`${tree.dir}/etc/sub/a.conf`);
    const [replaced] = await run.waitOn(`${tree.dir}/etc/passwd`);
    await run.quiet();
    assert.equal(replaced!.action, 'MOVED_TO');
    assert.equal(run.on(`${tree.dir}/python`).length, 0);
    assert.equal(run.on(`${tree.dir}/etc/sub/a.txt`).length, 0);
    assert.equal(run.on(`${tree.dir}/etc/passwd.tmp`).length, 0);
  } finally {
    await run.stop();
    tree.cleanup();
  }
});

test('exclude_paths: an excluded directory is not watched and its whole subtree is silent', async () => {
  const tree = tempTree();
  mkdirSync(`${tree.dir}/cache/deep`, { recursive: true });
  const excludes = [`${tree.dir}/cache`, `${tree.dir}/%.swp`];
  const run = await startPublisher([sub('t', `${tree.dir}/%%`, excludes)]);
  try {
    writeFileSync(`${tree.dir}/cache/deep/x`, '1');
    writeFileSync(`${tree.dir}/cache/y`, '1');
    writeFileSync(`${tree.dir}/edit.swp`, '1');
    writeFileSync(`${tree.dir}/kept`, '1');
    await run.waitOn(`${tree.dir}/kept`);
    await run.quiet();
    assert.deepEqual(run.events.map((e) => e.path), [`${tree.dir}/kept`]);
    const matcher = new ExcludeMatcher(excludes);
    assert.equal(matcher.excludes(toBytes(`${tree.dir}/cache/deep/x`)), true);
    assert.equal(matcher.excludes(toBytes(`${tree.dir}/cachex`)), false);
  } finally {
    await run.stop();
    tree.cleanup();
  }
});

test('under %%, a file written right after mkdir (and in nested new directories) is not missed', async () => {
  const tree = tempTree();
  const run = await startPublisher([sub('t', `${tree.dir}/%%`)]);
  try {
    const expected: string[] = [];
    for (let i = 0; i < 30; i++) {
      const dir = `${tree.dir}/d${i}/e/f`;
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/file`, `content ${i}`);
      expected.push(`${dir}/file`);
    }
    await waitFor(() => expected.every((p) => run.on(p).some((e) => e.action === 'CREATED')), 'CREATED for every file', 8000);
    await run.quiet();
    for (const p of expected) {
      assert.equal(run.on(p).filter((e) => e.action === 'CREATED').length, 1, `exactly one CREATED for ${p}`);
    }
    for (let i = 0; i < 30; i++) {
      for (const d of [`${tree.dir}/d${i}`, `${tree.dir}/d${i}/e`, `${tree.dir}/d${i}/e/f`]) {
        assert.deepEqual(run.on(d).map((e) => e.action), ['CREATED'], `exactly one CREATED for directory ${d}`);
      }
    }
  } finally {
    await run.stop();
    tree.cleanup();
  }
});

test('bad patterns are refused with a message naming the pattern and the fix', () => {
  assert.throws(() => expandFilePattern('var/tmp/%'), /relative; write an absolute path/);
  assert.throws(() => expandFilePattern('~/x'), /"~" is not expanded/);
  assert.throws(() => expandFilePattern('/etc/ab%%/x'), /"%%" must be a whole path component/);
  assert.throws(() => expandFilePattern('/etc/%%/a/b'), /only one name pattern may follow/);
  const missing = expandFilePattern('/var/tmp/quarry-does-not-exist-xyz/%%');
  assert.deepEqual(missing.specs, []);
  assert.equal(missing.missing.length, 1);
});
