import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deb_packages } from '@quarry/tables/packages/index';
import { engineWith, mustRun, rows, sqlText } from '../host-context.js';

test('deb_packages lists what dpkg-query -W lists, with the same versions and fields', async () => {
  const engine = await engineWith(deb_packages);
  const format = '${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Want} ${db:Status-Eflag} ${db:Status-Status}\\t${Installed-Size}\\t${Section}\\t${Priority}\\n';
  const listed = mustRun('dpkg-query', ['-W', '-f', format])
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'))
    .filter((fields) => !fields[3]!.endsWith('not-installed'));
  const got = rows(engine, 'SELECT name, version, arch, status, size, section, priority, revision, admindir FROM deb_packages');
  assert.equal(got.length, listed.length);
  const byKey = new Map(got.map((r) => [`${r.name}:${r.arch}`, r]));
  for (const [name, version, arch, status, size, section, priority] of listed) {
    const row = byKey.get(`${name}:${arch}`);
    assert.ok(row, `${name}:${arch} present`);
    assert.equal(row.version, version);
    assert.equal(row.status, status);
    assert.equal(String(row.size), size === '' ? '' : size);
    assert.equal(row.section, section);
    assert.equal(row.priority, priority);
    assert.equal(row.revision, version!.includes('-') ? version!.slice(version!.lastIndexOf('-') + 1) : '');
    assert.equal(row.admindir, '/var/lib/dpkg');
  }
});

test('deb_packages reads another admindir when constrained, skipping not-installed packages', async () => {
  const admindir = mkdtempSync(join(tmpdir(), 'quarry-dpkg-'));
  try {
    writeFileSync(
      join(admindir, 'status'),
      [
        'Package: alpha', 'Status: install ok installed', 'Priority: optional', 'Section: utils', 'Installed-Size: 42',
        'Maintainer: A <a@example.org>', 'Architecture: amd64', 'Source: alpha-src (1.0-1)', 'Version: 1:1.0-1+b2', 'Description: first', ' continued', '',
        'Package: beta', 'Status: deinstall ok config-files', 'Architecture: all', 'Version: 2.0', '',
        'Package: gamma', 'Status: purge ok not-installed', 'Architecture: all', '',
      ].join('\n'),
    );
    const engine = await engineWith(deb_packages);
    const got = rows(engine, `SELECT name, version, source, size, arch, revision, status, maintainer, admindir FROM deb_packages WHERE admindir = ${sqlText(admindir)}`);
    const listed = mustRun('dpkg-query', [`--admindir=${admindir}`, '-W', '-f', '${Package} ${Version} ${db:Status-Status}\\n']).trim().split('\n');
    assert.deepEqual(
      got.map((r) => `${r.name} ${r.version} ${String(r.status).split(' ')[2]}`),
      listed.filter((line) => !line.endsWith('not-installed')),
    );
    assert.equal(got[0]!.source, 'alpha-src (1.0-1)');
    assert.equal(got[0]!.revision, '1+b2');
    assert.equal(got[0]!.size, 42);
    assert.equal(got[0]!.admindir, admindir);
  } finally {
    rmSync(admindir, { recursive: true, force: true });
  }
});
