import { test } from 'node:test';
import assert from 'node:assert/strict';
import { select } from '../engine.js';
import { run, sh } from '../system-tools.js';

test('os_version reads /etc/os-release as the shell sources it, and arch is uname -m', () => {
  const [name, version, id, codename, versionId] = sh('. /etc/os-release; printf "%s\\n%s\\n%s\\n%s\\n%s\\n" "$NAME" "$VERSION" "$ID" "$VERSION_CODENAME" "$VERSION_ID"').split('\n');
  const [row] = select('os_version', {}, '*, pid_with_namespace');
  assert.ok(row);
  assert.equal(row.name, name);
  assert.equal(row.version, version);
  assert.equal(row.platform, id);
  assert.equal(row.codename, codename);
  assert.equal(row.major, Number(versionId!.split('.')[0]));
  assert.equal(row.arch, run('uname', ['-m']).trim());
  assert.equal(row.pid_with_namespace, 0);
});

test('os_version with pid_with_namespace reads the file as that process sees it', () => {
  const rows = select('os_version', { pid_with_namespace: [process.pid] }, '*, pid_with_namespace');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.pid_with_namespace, process.pid);
  assert.equal(rows[0]!.name, select('os_version', {}, '*, pid_with_namespace')[0]!.name);
  assert.deepEqual(select('os_version', { pid_with_namespace: [999999999] }), []);
});
