import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { file } from '@quarry/tables/files/index';
import { engineWith, mustRun, rows, sqlText } from '../host-context.js';

/** A temp tree: names with spaces and a newline, a hidden file, a file symlink and a symlink loop. */
function makeTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'quarry-file-'));
  mkdirSync(join(root, 'sub dir', 'deeper'), { recursive: true });
  writeFileSync(join(root, 'plain.txt'), 'plain\n');
  writeFileSync(join(root, 'with space.txt'), 'space');
  writeFileSync(join(root, 'new\nline'), 'newline');
  writeFileSync(join(root, '.hidden'), 'hidden');
  writeFileSync(join(root, 'sub dir', 'deeper', 'leaf'), 'leaf');
  symlinkSync(join(root, 'plain.txt'), join(root, 'link-to-plain'));
  symlinkSync(root, join(root, 'sub dir', 'loop'));
  return root;
}

/** stat(1) of a path, following links as osquery's stat(2) does. */
function statOf(path: string): Record<string, string> {
  const format = '%i|%u|%g|%a|%s|%o|%X|%Y|%Z|%h|%F';
  const [inode, uid, gid, mode, size, blockSize, atime, mtime, ctime, links, type] = mustRun('stat', ['-L', '-c', format, '--', path]).trim().split('|');
  return { inode, uid, gid, mode, size, blockSize, atime, mtime, ctime, links, type } as Record<string, string>;
}

const TYPE_NAMES: Record<string, string> = { 'regular file': 'regular', 'regular empty file': 'regular', directory: 'directory', 'symbolic link': 'symlink' };

test('file with path = returns the stat(2) of each file, names with spaces and newlines included', async () => {
  const root = makeTree();
  try {
    const engine = await engineWith(file);
    for (const name of ['plain.txt', 'with space.txt', 'new\nline', 'link-to-plain', 'sub dir']) {
      const path = join(root, name);
      const [row] = rows(engine, `SELECT * FROM file WHERE path = ${sqlText(path)}`);
      assert.ok(row, `row for ${JSON.stringify(name)}`);
      const stat = statOf(path);
      assert.equal(row.path, path);
      assert.equal(row.directory, root);
      assert.equal(row.filename, name);
      assert.equal(String(row.inode), stat.inode);
      assert.equal(String(row.uid), stat.uid);
      assert.equal(String(row.gid), stat.gid);
      assert.equal(row.mode, stat.mode!.padStart(4, '0'));
      assert.equal(String(row.size), stat.size);
      assert.equal(String(row.block_size), stat.blockSize);
      assert.equal(String(row.atime), stat.atime);
      assert.equal(String(row.mtime), stat.mtime);
      assert.equal(String(row.ctime), stat.ctime);
      assert.equal(String(row.hard_links), stat.links);
      assert.equal(row.type, TYPE_NAMES[stat.type!]);
      assert.equal(row.btime, 0);
      assert.equal(row.symlink, name === 'link-to-plain' ? 1 : 0);
      assert.equal(row.symlink_target_path, name === 'link-to-plain' ? join(root, 'plain.txt') : '');
    }
    assert.equal(rows(engine, `SELECT * FROM file WHERE path = ${sqlText(join(root, 'missing'))}`).length, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("file LIKE '%' lists one level and '%%' recurses, skipping dot-files and surviving a symlink loop", async () => {
  const root = makeTree();
  try {
    const engine = await engineWith(file);
    const oneLevel = rows(engine, `SELECT path, filename FROM file WHERE path LIKE ${sqlText(`${root}/%`)}`).map((r) => r.path);
    const listed = mustRun('find', [root, '-mindepth', '1', '-maxdepth', '1', '-not', '-name', '.*', '-printf', '%p\\0']).split('\0').filter(Boolean);
    const marked = (paths: string[]) =>
      paths.map((p) => (mustRun('stat', ['-L', '-c', '%F', '--', p]).trim() === 'directory' ? `${p}/` : p)).sort();
    assert.deepEqual(oneLevel, marked(listed));

    const recursive = rows(engine, `SELECT path FROM file WHERE path LIKE ${sqlText(`${root}/%%`)}`).map((r) => r.path);
    // find does not follow the loop symlink, which is exactly the set a loop-safe walk yields.
    const all = mustRun('find', [root, '-mindepth', '1', '-not', '-path', '*/.*', '-printf', '%p\\0']).split('\0').filter(Boolean);
    assert.deepEqual(recursive, marked(all));
    assert.ok(recursive.includes(`${root}/sub dir/loop/`), 'the loop link itself is listed once');

    const [dirRow] = rows(engine, `SELECT directory, filename FROM file WHERE path = ${sqlText(`${root}/sub dir/`)}`);
    assert.deepEqual({ ...dirRow }, { directory: `${root}/sub dir`, filename: '.' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('file with directory = lists every entry (dot-files too); unconstrained queries fail as osquery', async () => {
  const root = makeTree();
  try {
    const engine = await engineWith(file);
    const got = rows(engine, `SELECT filename, directory FROM file WHERE directory = ${sqlText(root)}`);
    const names = mustRun('find', [root, '-mindepth', '1', '-maxdepth', '1', '-printf', '%f\\0']).split('\0').filter(Boolean).sort();
    assert.deepEqual(got.map((r) => r.filename).sort(), names);
    for (const row of got) assert.equal(row.directory, root);
    const dirs = rows(engine, `SELECT DISTINCT directory FROM file WHERE directory LIKE ${sqlText(`${root}/%`)}`).map((r) => r.directory);
    assert.deepEqual(dirs, [`${root}/sub dir/`]);
    assert.throws(() => engine.query('SELECT * FROM file'), /Table file was queried without a required column in the WHERE clause/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
