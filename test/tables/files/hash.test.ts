import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createHashTable, file, hash } from '@quarry/tables/files/index';
import { engineWith, mustRun, rows, sqlText } from '../host-context.js';

function digest(tool: string, path: string): string {
  return mustRun('sh', ['-c', `${tool} < "$1"`, 'sh', path]).split(' ')[0]!;
}

function makeFiles(): string {
  const root = mkdtempSync(join(tmpdir(), 'quarry-hash-'));
  writeFileSync(join(root, 'random.bin'), randomBytes(3 * 1024 * 1024 + 17));
  writeFileSync(join(root, 'with space'), 'some text\n');
  writeFileSync(join(root, 'new\nline'), '');
  mkdirSync(join(root, 'subdir'));
  return root;
}

test('hash equals md5sum, sha1sum and sha256sum for real files (spaces, newlines, empty, multi-chunk)', async () => {
  const root = makeFiles();
  try {
    const engine = await engineWith(hash, file);
    for (const name of ['random.bin', 'with space', 'new\nline']) {
      const path = join(root, name);
      const [row] = rows(engine, `SELECT * FROM hash WHERE path = ${sqlText(path)}`);
      assert.ok(row, `row for ${JSON.stringify(name)}`);
      assert.equal(row.directory, root);
      assert.equal(row.md5, digest('md5sum', path));
      assert.equal(row.sha1, digest('sha1sum', path));
      assert.equal(row.sha256, digest('sha256sum', path));
    }
    const byDirectory = rows(engine, `SELECT path FROM hash WHERE directory = ${sqlText(root)}`).map((r) => r.path).sort();
    assert.deepEqual(byDirectory, ['new\nline', 'random.bin', 'with space'].map((n) => join(root, n)).sort(), 'directories are not hashed');
    assert.equal(rows(engine, `SELECT * FROM hash WHERE path = ${sqlText(join(root, 'subdir'))}`).length, 0);
    const joined = rows(engine, `SELECT f.path, h.md5 FROM file f JOIN hash h USING (path) WHERE f.directory = ${sqlText(root)}`);
    assert.equal(joined.length, 3);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a file larger than read_max gives empty hashes and a warning, as osquery', async () => {
  const root = makeFiles();
  try {
    const small = await engineWith(createHashTable({ readMax: 1024 }));
    const result = small.query(`SELECT * FROM hash WHERE path = ${sqlText(join(root, 'random.bin'))}`);
    assert.equal(result.rows.length, 1);
    assert.deepEqual([result.rows[0]!.md5, result.rows[0]!.sha1, result.rows[0]!.sha256], ['', '', '']);
    assert.ok(result.warnings.some((w) => w.includes('exceeds size limit')), `warnings: ${result.warnings.join('; ')}`);
    const [fits] = small.query(`SELECT md5 FROM hash WHERE path = ${sqlText(join(root, 'with space'))}`).rows;
    assert.equal(fits!.md5, digest('md5sum', join(root, 'with space')));

    // The default read_max is osquery's 50 MiB: a sparse file one byte larger is not read.
    const big = join(root, 'big.sparse');
    writeFileSync(big, '');
    truncateSync(big, 50 * 1024 * 1024 + 1);
    const engine = await engineWith(hash);
    const [row] = rows(engine, `SELECT md5 FROM hash WHERE path = ${sqlText(big)}`);
    assert.equal(row!.md5, '');
    assert.throws(() => createHashTable({ readMax: -1 }), /readMax must be a non-negative number/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('hash re-hashes a file whose content changed (cache keyed on stat)', async () => {
  const root = makeFiles();
  try {
    const engine = await engineWith(createHashTable());
    const path = join(root, 'with space');
    const query = `SELECT sha256 FROM hash WHERE path = ${sqlText(path)}`;
    assert.equal(rows(engine, query)[0]!.sha256, digest('sha256sum', path));
    writeFileSync(path, 'different content, different size\n');
    assert.equal(rows(engine, query)[0]!.sha256, digest('sha256sum', path));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
