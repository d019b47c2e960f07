/**
 * The extended_attributes table against Debian's attr (`setfattr` sets the attributes, `getfattr -d -m - -e base64`
 * and `getfattr -d` are the reference) and libcap2-bin (`setcap`, and `getcap` for the decoded security.capability),
 * installed by scripts/ensure-xattr-tools.sh.
 *
 * Where the files live: user.* attributes need a filesystem that stores them. tmpfs only does so on kernels ≥ 6.6
 * (and ext4/xfs/btrfs always), so the test probes os.tmpdir() with setfattr and falls back to /var/tmp (on the root
 * filesystem) when the probe is refused. On the machine this was written on /tmp is ext4 and the probe succeeds.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Row } from '@quarry/sql';
import { extended_attributes } from '@quarry/tables/files/index';
import { engineWith, mustRun, rows, sqlText } from '../host-context.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
let root = '';

/** A directory whose filesystem accepts user.* attributes: tmpdir() when it does, else /var/tmp. */
function xattrCapableDirectory(): string {
  for (const base of [tmpdir(), '/var/tmp']) {
    const candidate = mkdtempSync(join(base, 'quarry-xattr-'));
    const probe = join(candidate, 'probe');
    writeFileSync(probe, '');
    const set = spawnSync('setfattr', ['-n', 'user.quarry_probe', '-v', '1', probe]);
    rmSync(probe);
    if (set.status === 0) return candidate;
    rmSync(candidate, { recursive: true, force: true });
  }
  throw new Error(`neither ${tmpdir()} nor /var/tmp stores user.* extended attributes; run the test on a filesystem that does (ext4, xfs, btrfs)`);
}

function setAttribute(path: string, name: string, value?: string): void {
  mustRun('setfattr', value === undefined ? ['-n', name, path] : ['-n', name, '-v', value, path]);
}

/** getfattr's dump of every attribute (all namespaces) as name → raw bytes. */
function getfattrBytes(path: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const text = mustRun('getfattr', ['-d', '-m', '-', '-e', 'base64', '--absolute-names', '--', path]);
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    const name = equals < 0 ? line : line.slice(0, equals);
    const encoded = equals < 0 ? '' : line.slice(equals + 1);
    assert.ok(encoded === '' || encoded.startsWith('0s'), `getfattr -e base64 wrote ${line}`);
    out.set(name, Buffer.from(encoded.slice(2), 'base64'));
  }
  return out;
}

/** getfattr -d's text dump (values it can print are quoted strings). */
function getfattrText(path: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of mustRun('getfattr', ['-d', '-m', '-', '--absolute-names', '--', path]).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    out.set(line.slice(0, equals), line.slice(equals + 1));
  }
  return out;
}

/** osquery's rule applied to getfattr's bytes: NUL-terminated printable ASCII is text, anything else base64. */
function expectedRendering(bytes: Buffer): { value: string; base64: number } {
  if (bytes.length === 0) return { value: '', base64: 1 };
  if (bytes[bytes.length - 1] !== 0) return { value: bytes.toString('base64'), base64: 1 };
  const body = bytes.subarray(0, -1);
  return body.every((b) => b >= 0x20 && b <= 0x7e) ? { value: body.toString('latin1'), base64: 0 } : { value: body.toString('base64'), base64: 1 };
}

/** getcap's text for a file ("<path> <caps>"), without the path. */
function getcapText(path: string): string {
  const line = mustRun('getcap', [path]).trim();
  assert.ok(line.startsWith(`${path} `), `getcap wrote ${line}`);
  return line.slice(path.length + 1).replace(/ \[rootid=\d+\]$/, '');
}

function expectedRows(path: string, directory: string): Row[] {
  const out: Row[] = [];
  for (const [key, bytes] of getfattrBytes(path)) {
    if (key === 'security.capability') out.push({ path, directory, key, value: getcapText(path), base64: 0 });
    else out.push({ path, directory, key, ...expectedRendering(bytes) });
  }
  return out;
}

const byKey = (a: Row, b: Row): number => `${String(a.path)}\0${String(a.key)}`.localeCompare(`${String(b.path)}\0${String(b.key)}`);

before(() => {
  execFileSync('sh', [join(repoRoot, 'scripts', 'ensure-xattr-tools.sh')], { stdio: 'inherit' });
  root = xattrCapableDirectory();
  const notes = join(root, 'notes.txt');
  writeFileSync(notes, 'some text\n');
  setAttribute(notes, 'user.plain', 'hello world'); // no NUL: osquery shows it base64
  setAttribute(notes, 'user.cstring', `0x${Buffer.from('printable value\0').toString('hex')}`); // NUL-terminated: text
  setAttribute(notes, 'user.binary', `0s${randomBytes(48).toString('base64')}`);
  setAttribute(notes, 'user.binary_nul', '0x01020300');
  setAttribute(notes, 'user.empty');
  writeFileSync(join(root, 'bare.txt'), 'no attributes\n');
  const second = join(root, 'second.bin');
  writeFileSync(second, randomBytes(64));
  setAttribute(second, 'user.origin', `0x${Buffer.from('https://example.invalid/x\0').toString('hex')}`);
  copyFileSync('/bin/ls', join(root, 'ls-raw'));
  mustRun('setcap', ['cap_net_raw+ep', join(root, 'ls-raw')]);
  copyFileSync('/bin/ls', join(root, 'ls-mixed'));
  mustRun('setcap', ['cap_chown,cap_kill+eip cap_net_bind_service+ei', join(root, 'ls-mixed')]);
  copyFileSync('/bin/ls', join(root, 'ls-namespaced'));
  mustRun('setcap', ['-n', '1000', 'cap_net_admin+ep', join(root, 'ls-namespaced')]); // a revision 3 value (rootid)
  symlinkSync('notes.txt', join(root, 'link-to-notes'));
  mkdirSync(join(root, 'subdir'));
  setAttribute(join(root, 'subdir'), 'user.on_directory', 'x');
  mustRun('mkfifo', [join(root, 'pipe')]);
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

test('user.* attributes equal getfattr: NUL-terminated printable as text, the rest base64, empty as base64 ""', async () => {
  const engine = await engineWith(extended_attributes);
  const path = join(root, 'notes.txt');
  const found = rows(engine, `SELECT * FROM extended_attributes WHERE path = ${sqlText(path)}`);
  const expected = expectedRows(path, root);
  assert.equal(expected.length, 5, 'getfattr sees the five attributes set');
  assert.deepEqual([...found].sort(byKey), expected.sort(byKey));
  // Text rows read as getfattr -d prints them.
  const text = getfattrText(path);
  for (const row of found.filter((r) => r.base64 === 0)) assert.equal(`"${String(row.value)}"`, text.get(String(row.key)));
  assert.deepEqual(
    found.map((r) => [r.key, r.base64]).sort(),
    [['user.binary', 1], ['user.binary_nul', 1], ['user.cstring', 0], ['user.empty', 1], ['user.plain', 1]],
  );
});

test('security.capability is decoded as getcap prints it (one capability, several states, a revision 3 value)', async () => {
  const engine = await engineWith(extended_attributes);
  for (const name of ['ls-raw', 'ls-mixed', 'ls-namespaced']) {
    const path = join(root, name);
    const found = rows(engine, `SELECT key, value, base64 FROM extended_attributes WHERE path = ${sqlText(path)}`);
    const capability = found.filter((r) => r.key === 'security.capability');
    assert.equal(capability.length, 1, `one decoded capability row for ${name}`);
    assert.deepEqual(capability[0], { key: 'security.capability', value: getcapText(path), base64: 0 });
    assert.deepEqual([...found].sort(byKey), expectedRows(path, root).map(({ key, value, base64 }) => ({ key, value, base64 })).sort(byKey));
  }
  assert.equal(getcapText(join(root, 'ls-raw')), 'cap_net_raw=ep', 'setcap cap_net_raw+ep reads back as libcap writes it');

  // libcap's text form for other mixes of states, each compared with getcap on the same file.
  const path = join(root, 'ls-raw');
  const specs = ['cap_net_raw+p cap_chown+i', 'all+ep', 'all+p cap_net_raw+i', 'all+ep cap_kill-ep', 'cap_chown+i cap_kill+p cap_setuid+ip', 'cap_setuid+ei', 'all+i cap_kill+p'];
  try {
    for (const spec of specs) {
      mustRun('setcap', [spec, path]);
      const [row] = rows(engine, `SELECT value FROM extended_attributes WHERE path = ${sqlText(path)} AND key = 'security.capability'`);
      assert.equal(row?.value, getcapText(path), `setcap '${spec}'`);
    }
  } finally {
    mustRun('setcap', ['cap_net_raw+ep', path]);
  }
  const revision = getfattrBytes(join(root, 'ls-namespaced')).get('security.capability')!;
  assert.equal(revision.length, 24, 'setcap -n wrote a 24-byte revision 3 vfs_ns_cap_data');
});

test('a directory constraint lists the xattrs of every file in it (not of subdirectories); symlinks are followed', async () => {
  const engine = await engineWith(extended_attributes);
  const found = rows(engine, `SELECT * FROM extended_attributes WHERE directory = ${sqlText(root)}`);
  const expected: Row[] = [];
  for (const name of ['bare.txt', 'link-to-notes', 'ls-mixed', 'ls-namespaced', 'ls-raw', 'notes.txt', 'pipe', 'second.bin']) expected.push(...expectedRows(join(root, name), root));
  assert.deepEqual([...found].sort(byKey), expected.sort(byKey));
  assert.ok(found.some((r) => r.path === join(root, 'link-to-notes') && r.key === 'user.cstring'), 'the symlink shows its target\'s attributes');
  assert.ok(!found.some((r) => String(r.path).startsWith(join(root, 'subdir'))), 'subdirectories are not listed');

  // A LIKE pattern on path covers the directory itself too (as osquery's GLOB_ALL).
  const like = rows(engine, `SELECT path, key FROM extended_attributes WHERE path LIKE ${sqlText(`${root}/%`)}`);
  assert.ok(like.some((r) => r.path === `${join(root, 'subdir')}/` && r.key === 'user.on_directory'));
  assert.equal(rows(engine, `SELECT * FROM extended_attributes WHERE path = ${sqlText(join(root, 'subdir'))}`)[0]?.value, 'eA==');
});

test('a file without xattrs, a missing path and a FIFO give no rows (and the FIFO does not block)', async () => {
  const engine = await engineWith(extended_attributes);
  assert.equal(getfattrBytes(join(root, 'bare.txt')).size, 0, 'getfattr sees no attributes on bare.txt');
  for (const name of ['bare.txt', 'does-not-exist', 'pipe']) {
    const result = engine.query(`SELECT * FROM extended_attributes WHERE path = ${sqlText(join(root, name))}`);
    assert.deepEqual(result.rows, [], name);
    assert.deepEqual(result.warnings, [], name);
  }
  assert.throws(() => engine.query('SELECT * FROM extended_attributes'), /required column/);
});
