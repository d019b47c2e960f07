import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { applyConfigOptions, Flags, loadConfig, machineShard, platformMatches, scheduledQueries } from '@quarry/config';
import { tempDir, writeFile } from './helpers.js';

describe('config options and schedule', () => {
  it('config options override CLI and flagfile values; CLI-only, unknown and bad options warn', () => {
    const dir = tempDir();
    const flagfile = writeFile(dir, 'osquery.flags', '--events_expiry=10\n');
    const config = loadConfig(writeFile(dir, 'osquery.conf', JSON.stringify({
      options: {
        events_max: 1234, events_expiry: '77', disable_audit: false, audit_allow_config: 'true',
        database_path: '/elsewhere', disable_evnets: true, custom_team: 'blue', custom_list: ['a', 1],
        schedule_splay_percent: 'ten', logger_numerics: true,
      },
    })));
    const { flags } = Flags.parse(['--events_max=5', `--flagfile=${flagfile}`, '--database_path=/tmp/db']);
    const warnings = applyConfigOptions(config, flags);
    assert.equal(flags.number('events_max'), 1234);
    assert.equal(flags.source('events_max'), 'config');
    assert.equal(flags.number('events_expiry'), 77);
    assert.equal(flags.bool('disable_audit'), false);
    assert.equal(flags.bool('audit_allow_config'), true);
    assert.equal(flags.bool('logger_numerics'), true);
    assert.equal(flags.string('database_path'), '/tmp/db');
    assert.equal(flags.string('custom_team'), 'blue');
    assert.equal(flags.string('custom_list'), '["a",1]');
    assert.ok(flags.rows().some((row) => row.name === 'custom_team' && row.value === 'blue'));
    assert.deepEqual(warnings, [
      'The CLI only flag --database_path set via config file will be ignored, please use a flagfile or pass it to the process at startup',
      'Cannot set unknown or invalid flag: disable_evnets (did you mean disable_events?)',
      'Cannot set unknown or invalid flag: schedule_splay_percent: Invalid value for flag --schedule_splay_percent: expected a non-negative integer (at most 9007199254740991), got "ten"',
    ]);
  });

  it('config can re-enable events in the shell but not the logging/watchdog the shell forces off', () => {
    const dir = tempDir();
    const config = loadConfig(writeFile(dir, 'osquery.conf', '{"options": {"disable_events": false, "disable_logging": false}}'));
    const { flags } = Flags.parse([], { mode: 'shell' });
    const warnings = applyConfigOptions(config, flags);
    assert.equal(flags.bool('disable_events'), false);
    assert.equal(flags.bool('disable_logging'), true);
    assert.match(warnings[0]!, /--disable_logging is fixed in this mode/);
  });

  it('flattens schedule and packs into osquery-named queries with defaults and filters', () => {
    const dir = tempDir();
    const config = loadConfig(writeFile(dir, 'osquery.conf', JSON.stringify({
      options: { schedule_default_interval: 120 },
      schedule: { early: { query: 'SELECT 1;', startup_priority: 1 }, plain: { query: 'SELECT 2;', interval: 30 } },
      packs: {
        linux_only: { platform: 'linux', queries: { a: { query: 'SELECT 3;', interval: 10 } } },
        darwin_only: { platform: 'darwin', queries: { b: { query: 'SELECT 4;' } } },
        posix: { queries: { c: { query: 'SELECT 5;', platform: 'posix' }, d: { query: 'SELECT 6;', platform: 'windows' } } },
        new_version: { version: '99.0.0', queries: { e: { query: 'SELECT 7;' } } },
      },
    })));
    const { flags } = Flags.parse(['--pack_delimiter=:']);
    applyConfigOptions(config, flags);
    const names = scheduledQueries(config, flags, { platform: 'linux', version: '5.23.0' }).map((entry) => `${entry.name}@${entry.interval}`);
    assert.deepEqual(names, ['early@120', 'pack:linux_only:a@10', 'pack:posix:c@120', 'plain@30']);
    assert.deepEqual(scheduledQueries(config, flags, { platform: 'darwin' }).map((entry) => entry.name),
      ['early', 'pack:darwin_only:b', 'pack:new_version:e', 'pack:posix:c', 'plain']);
  });

  it('selects shards from sha1(hostname) as osquery', () => {
    const shard = machineShard(hostname());
    const dir = tempDir();
    const config = loadConfig(writeFile(dir, 'osquery.conf', JSON.stringify({
      schedule: {
        below: { query: 'SELECT 1;', shard: Math.max(1, shard) - (shard > 1 ? 1 : 0) },
        at: { query: 'SELECT 2;', shard: Math.max(1, shard) },
        all: { query: 'SELECT 3;', shard: 100 },
      },
    })));
    const names = scheduledQueries(config, new Flags()).map((entry) => entry.name);
    assert.ok(names.includes('all') && names.includes('at'));
    assert.equal(names.includes('below'), shard <= 1);
    assert.ok(platformMatches('ubuntu', 'linux') && platformMatches('any', 'win32') && !platformMatches('darwin', 'linux'));
  });
});
