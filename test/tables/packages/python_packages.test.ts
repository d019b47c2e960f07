import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { python_packages } from '@quarry/tables/packages/index';
import { engineWith, rows, sqlText, tool } from '../host-context.js';

const LIST_DISTRIBUTIONS = `
import importlib.metadata as m, json, sys
out = []
for d in m.distributions(path=[sys.argv[1]]):
    out.append([d.metadata['Name'], d.version])
print(json.dumps(out))
`;

test('python_packages agrees with importlib.metadata for every site directory it reports', async () => {
  const engine = await engineWith(python_packages);
  const got = rows(engine, 'SELECT name, version, directory, path, uid FROM python_packages');
  const directories = [...new Set(got.map((r) => String(r.directory)))];
  for (const directory of directories) {
    const listed = tool('python3', ['-c', LIST_DISTRIBUTIONS, directory]);
    assert.ok(listed !== null, 'python3 runs');
    const expected = (JSON.parse(listed) as Array<[string, string]>).map(([n, v]) => `${n} ${v}`).sort();
    const ours = got.filter((r) => r.directory === directory).map((r) => `${r.name} ${r.version}`).sort();
    assert.deepEqual(ours, expected, directory);
  }
});

test('python_packages with directory = reads only that directory (dist-info and egg-info)', async () => {
  const site = mkdtempSync(join(tmpdir(), 'quarry-site-'));
  try {
    mkdirSync(join(site, 'demo_pkg-1.2.3.dist-info'));
    writeFileSync(join(site, 'demo_pkg-1.2.3.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.2.3\nSummary: A demo\nAuthor: Ann\nLicense: MIT\n\nLong description: not a header\n');
    mkdirSync(join(site, 'old.egg-info'));
    writeFileSync(join(site, 'old.egg-info', 'PKG-INFO'), 'Metadata-Version: 1.0\nName: old\nVersion: 0.1\nAuthor-email: b@example.org\nLicense-Expression: BSD-3-Clause\n');
    writeFileSync(join(site, 'flat-0.5.egg-info'), 'Name: flat\nVersion: 0.5\n');
    const engine = await engineWith(python_packages);
    const got = rows(engine, `SELECT name, version, summary, author, license, path, directory FROM python_packages WHERE directory = ${sqlText(site)}`);
    const expected = JSON.parse(tool('python3', ['-c', LIST_DISTRIBUTIONS, site])!) as Array<[string, string]>;
    assert.deepEqual(got.map((r) => `${r.name} ${r.version}`).sort(), expected.map(([n, v]) => `${n} ${v}`).sort());
    const demo = got.find((r) => r.name === 'demo-pkg')!;
    assert.deepEqual({ ...demo }, { name: 'demo-pkg', version: '1.2.3', summary: 'A demo', author: 'Ann', license: 'MIT', path: join(site, 'demo_pkg-1.2.3.dist-info'), directory: site });
    assert.equal(got.find((r) => r.name === 'old')!.author, 'b@example.org');
  } finally {
    rmSync(site, { recursive: true, force: true });
  }
});
