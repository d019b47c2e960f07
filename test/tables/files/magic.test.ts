/**
 * The magic table against Debian's `file` (same libmagic): `data` = `file -b`, `mime_type` = `file -b --mime-type`,
 * `mime_encoding` = `file -b --mime-encoding`, over real files made here, a LIKE pattern, and a custom database
 * compiled with `file -C -m`. `file` and libmagic come from scripts/ensure-file-tools.sh.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { createMagicTable, magic } from '@quarry/tables/files/index';
import { loadLibmagic } from '@quarry/tables/files/libmagic';
import { engineWith, mustRun, rows, sqlText } from '../host-context.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
let root = '';

function fileSays(path: string, ...flags: string[]): string {
  return mustRun('file', ['-b', ...flags, '--', path]).replace(/\n$/, '');
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 3x2 8-bit RGB PNG, written chunk by chunk (the machine has no image tool). */
function png(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(3, 0);
  header.writeUInt32BE(2, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const scanlines = Buffer.alloc(2 * (1 + 3 * 3), 0x7f);
  scanlines[0] = 0;
  scanlines[10] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(scanlines)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

before(() => {
  execFileSync('sh', [join(repoRoot, 'scripts', 'ensure-file-tools.sh')], { stdio: 'inherit' });
  root = mkdtempSync(join(tmpdir(), 'quarry-magic-'));
  writeFileSync(join(root, 'notes.txt'), 'plain words on a line\nand another\n');
  writeFileSync(join(root, 'utf8.txt'), 'caf\u00e9 na\u00efve \u2713\n');
  writeFileSync(join(root, 'archive.txt'), 'to be compressed\n'.repeat(50));
  mustRun('gzip', ['-n', join(root, 'archive.txt')]);
  copyFileSync('/bin/ls', join(root, 'ls-copy'));
  writeFileSync(join(root, 'image.png'), png());
  writeFileSync(join(root, 'empty'), '');
  writeFileSync(join(root, 'script'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
  writeFileSync(join(root, 'custom.dat'), 'QUARRYMAGIC v1 payload\n');
  symlinkSync('notes.txt', join(root, 'link-to-notes'));
  mkdirSync(join(root, 'nested'));
  writeFileSync(join(root, 'nested', 'deep.sh'), '#!/usr/bin/env python3\nprint(1)\n');
  mustRun('mkfifo', [join(root, 'pipe')]);
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const NAMES = ['notes.txt', 'utf8.txt', 'archive.txt.gz', 'ls-copy', 'image.png', 'empty', 'script', 'custom.dat', 'link-to-notes', 'pipe'];

test('data, mime_type and mime_encoding equal file -b, --mime-type and --mime-encoding for real files', async () => {
  const engine = await engineWith(magic);
  const paths = NAMES.map((name) => join(root, name));
  const found = rows(engine, `SELECT * FROM magic WHERE path IN (${paths.map(sqlText).join(', ')})`);
  assert.equal(found.length, paths.length);
  for (const path of paths) {
    const row = found.find((r) => r.path === path);
    assert.ok(row, `a row for ${path}`);
    assert.equal(row.data, fileSays(path), `data of ${path}`);
    assert.equal(row.mime_type, fileSays(path, '--mime-type'), `mime_type of ${path}`);
    assert.equal(row.mime_encoding, fileSays(path, '--mime-encoding'), `mime_encoding of ${path}`);
    assert.equal(row.magic_db_files, '/usr/share/file/magic.mgc', 'osquery\'s default database, once');
  }
  // The kinds the files were made to be (so the comparison covered them).
  const mime = (name: string): unknown => found.find((r) => r.path === join(root, name))!.mime_type;
  assert.equal(mime('archive.txt.gz'), 'application/gzip');
  assert.equal(mime('image.png'), 'image/png');
  assert.match(String(mime('empty')), /\/x-empty$/);
  assert.equal(mime('script'), 'text/x-shellscript');
  assert.equal(mime('pipe'), 'inode/fifo');
  assert.match(String(mime('ls-copy')), /^application\/x-(pie-)?executable$/);
  assert.match(String(found.find((r) => r.path === join(root, 'link-to-notes'))!.data), /^symbolic link to notes\.txt$/);
});

test('a directory, a missing path and a FIFO get libmagic\'s own answer, as osquery (and file) give', async () => {
  const engine = await engineWith(magic);
  for (const path of [root, join(root, 'does-not-exist'), join(root, 'pipe')]) {
    const [row] = rows(engine, `SELECT * FROM magic WHERE path = ${sqlText(path)}`);
    assert.ok(row, `a row for ${path}`);
    assert.equal(row.data, fileSays(path));
    assert.equal(row.mime_type, fileSays(path, '--mime-type'));
    assert.equal(row.mime_encoding, fileSays(path, '--mime-encoding'));
  }
});

test('a FIFO with no writer never blocks the query (checked in a child process with a deadline)', () => {
  const script = `
    import { Engine } from '@quarry/sql';
    import { magic } from '@quarry/tables/files/index';
    const engine = await Engine.create({ tables: [magic] });
    const result = engine.query(${JSON.stringify(`SELECT data FROM magic WHERE path LIKE ${sqlText(join(root, 'pi%'))}`)});
    process.stdout.write(JSON.stringify(result.rows));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(child.signal, null, `the query did not finish: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), [{ data: fileSays(join(root, 'pipe')) }]);
});

test('LIKE resolves as the file table does: % within one level, %% recursively, each row equal to file', async () => {
  const engine = await engineWith(magic);
  const level = rows(engine, `SELECT path, data, mime_type FROM magic WHERE path LIKE ${sqlText(`${root}/%`)}`);
  const expected = [...NAMES.map((name) => join(root, name)), `${join(root, 'nested')}/`].sort();
  assert.deepEqual(level.map((r) => r.path).sort(), expected);
  for (const row of level) {
    assert.equal(row.data, fileSays(String(row.path)), `data of ${String(row.path)}`);
    assert.equal(row.mime_type, fileSays(String(row.path), '--mime-type'));
  }
  const recursive = rows(engine, `SELECT path, data FROM magic WHERE path LIKE ${sqlText(`${root}/%%`)}`);
  const deep = recursive.find((r) => r.path === join(root, 'nested', 'deep.sh'));
  assert.ok(deep, 'the recursive pattern reaches nested/deep.sh');
  assert.equal(deep.data, fileSays(join(root, 'nested', 'deep.sh')));
  const scripts = rows(engine, `SELECT path FROM magic WHERE path LIKE ${sqlText(`${root}/%`)} AND mime_type = 'text/x-shellscript'`);
  assert.deepEqual(scripts.map((r) => r.path), [join(root, 'script')]);
});

test('magic_db_files pointing at a database compiled with file -C changes the answer; a recompiled one is reloaded', async () => {
  const work = mkdtempSync(join(tmpdir(), 'quarry-magicdb-'));
  try {
    const source = join(work, 'quarry');
    writeFileSync(source, '0\tstring\tQUARRYMAGIC\tQuarry test format\n!:mime\tapplication/x-quarry-test\n');
    mustRun('sh', ['-c', 'cd "$1" && file -C -m quarry', 'sh', work]);
    const compiled = join(work, 'quarry.mgc');
    const target = join(root, 'custom.dat');
    const table = createMagicTable();
    const engine = await engineWith(table);

    const [systemRow] = rows(engine, `SELECT data, mime_type FROM magic WHERE path = ${sqlText(target)}`);
    const [customRow] = rows(engine, `SELECT * FROM magic WHERE path = ${sqlText(target)} AND magic_db_files = ${sqlText(compiled)}`);
    assert.ok(systemRow && customRow);
    assert.equal(customRow.magic_db_files, compiled);
    assert.equal(customRow.data, fileSays(target, '-m', compiled));
    assert.equal(customRow.mime_type, fileSays(target, '--mime-type', '-m', compiled));
    assert.equal(customRow.data, 'Quarry test format');
    assert.equal(customRow.mime_type, 'application/x-quarry-test');
    assert.notEqual(customRow.data, systemRow.data, 'the custom database changed the answer');
    assert.equal(systemRow.data, fileSays(target));

    // Two lists in IN: a row per list, each answered by its own databases.
    const both = `${compiled}:/usr/share/file/magic.mgc`;
    const pair = rows(engine, `SELECT magic_db_files, data FROM magic WHERE path = ${sqlText(join(root, 'image.png'))} AND magic_db_files IN (${sqlText(compiled)}, ${sqlText(both)})`);
    assert.deepEqual(pair.map((r) => r.magic_db_files).sort(), [both, compiled].sort());
    assert.equal(pair.find((r) => r.magic_db_files === both)!.data, fileSays(join(root, 'image.png'), '-m', both));
    assert.equal(pair.find((r) => r.magic_db_files === compiled)!.data, fileSays(join(root, 'image.png'), '-m', compiled));

    // Recompiled with another description: the table's cached cookie is replaced.
    writeFileSync(source, '0\tstring\tQUARRYMAGIC\tQuarry test format, second edition\n');
    mustRun('sh', ['-c', 'cd "$1" && file -C -m quarry', 'sh', work]);
    const [again] = rows(engine, `SELECT data FROM magic WHERE path = ${sqlText(target)} AND magic_db_files = ${sqlText(compiled)}`);
    assert.equal(again!.data, fileSays(target, '-m', compiled));
    assert.equal(again!.data, 'Quarry test format, second edition');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('a database libmagic cannot load gives a warning naming it and no rows; the path is required', async () => {
  const engine = await engineWith(magic);
  const missing = join(root, 'no-such-db.mgc');
  const result = engine.query(`SELECT * FROM magic WHERE path = ${sqlText(join(root, 'notes.txt'))} AND magic_db_files = ${sqlText(missing)}`);
  assert.equal(result.rows.length, 0);
  assert.ok(result.warnings.some((w) => w.includes(missing) && w.includes('file -C -m')), `warnings: ${result.warnings.join('; ')}`);
  assert.throws(() => engine.query('SELECT * FROM magic'), /required column/);
});

test('a missing libmagic is reported with the apt-get command that installs it', () => {
  assert.throws(() => loadLibmagic(['/nonexistent/libmagic.so.1']), /apt-get install -y libmagic1 libmagic-mgc/);
});
