/**
 * --enable_foreign: osquery's tables of the other platforms exist with osquery's columns and return no rows, so a
 * cross-platform pack runs on Linux; without the flag they do not exist, as in osquery.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { foreignTableSpecs } from '@quarry/tables';
import { quarryi } from '../shell/quarryi.js';
import { tempDir } from '../temp-dir.js';

const pack = {
  queries: {
    mac_apps: { query: 'select name, bundle_identifier from apps', interval: 3600, platform: 'darwin' },
    windows_bitlocker: { query: 'select drive_letter, protection_status from bitlocker_info', interval: 3600 },
    mac_firewall: { query: 'select global_state from alf', interval: 3600 },
    linux_uptime: { query: 'select total_seconds > 0 as up from uptime', interval: 3600 },
  },
};

test('every foreign table is another platform\'s: no Linux table is shadowed, columns are typed', () => {
  const specs = foreignTableSpecs();
  assert.ok(specs.length >= 120, `${specs.length} foreign tables`);
  for (const spec of specs) {
    assert.match(spec.platforms, /^(darwin|windows|freebsd)(,(darwin|windows|freebsd))*$/, spec.name);
    assert.ok(spec.columns.length > 0, spec.name);
  }
  assert.equal(new Set(specs.map((spec) => spec.name)).size, specs.length, 'each table once');
});

test('with --enable_foreign a pack of foreign-table queries runs: no rows, osquery\'s columns', () => {
  const dir = tempDir('quarry-foreign-');
  const config = join(dir, 'osquery.conf');
  writeFileSync(config, JSON.stringify({ packs: { cross_platform: pack } }));
  const run = quarryi([`--config_path=${config}`, '--enable_foreign', '--json', '--pack=cross_platform']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.match(run.stdout, /"up":"1"/, 'the Linux query of the pack still answers');
  const columns = quarryi(['--enable_foreign', '--json', "select name, type from pragma_table_info('bitlocker_info')"]);
  assert.deepEqual(JSON.parse(columns.stdout).map((c: { name: string }) => c.name), foreignTableSpecs().find((s) => s.name === 'bitlocker_info')!.columns.map((c) => c.name));
  const viaOption = join(dir, 'option.conf');
  writeFileSync(viaOption, JSON.stringify({ options: { enable_foreign: true } }));
  const option = quarryi([`--config_path=${viaOption}`, '--json', 'select count(*) as n from apps']);
  assert.equal(option.status, 0, option.stderr);
  assert.deepEqual(JSON.parse(option.stdout), [{ n: '0' }]);
});

test('every foreign table answers `select *` with no rows', () => {
  const sql = foreignTableSpecs().map((spec) => `select '${spec.name}' as name, count(*) as n from (select * from ${spec.name});`).join('\n');
  const run = quarryi(['--enable_foreign', '--json'], { input: sql });
  assert.equal(run.status, 0, run.stderr);
  const counts = run.stdout.trim().split(/\]\s*\[/).length;
  assert.equal(counts, foreignTableSpecs().length);
  assert.doesNotMatch(run.stdout, /"n":"[1-9]/);
});

test('without --enable_foreign the foreign tables do not exist (as osquery)', () => {
  const run = quarryi(['select * from bitlocker_info']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /no such table: bitlocker_info/);
});
