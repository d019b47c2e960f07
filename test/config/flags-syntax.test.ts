import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allFlagDefinitions, FlagError, Flags } from '@quarry/config';

describe('command line flag syntax', () => {
  it('accepts --name=value, --name value, -name and booleans --name / --noname / --name=false', () => {
    const { flags, positional } = Flags.parse([
      '--events_max=12', '--events_expiry', '99', '-logger_path', '/tmp/x', '--verbose', '--noevents_optimize',
      '--utc=false', 'select 1;',
    ]);
    assert.equal(flags.number('events_max'), 12);
    assert.equal(flags.number('events_expiry'), 99);
    assert.equal(flags.string('logger_path'), '/tmp/x');
    assert.equal(flags.bool('verbose'), true);
    assert.equal(flags.bool('events_optimize'), false);
    assert.equal(flags.bool('utc'), false);
    assert.deepEqual(positional, ['select 1;']);
    assert.equal(flags.source('events_max'), 'cli');
    assert.equal(flags.isDefault('events_max'), false);
    assert.equal(flags.isDefault('read_max'), true);
  });

  it('does not let a boolean flag swallow the next argument, and keeps positionals anywhere', () => {
    const { flags, positional } = Flags.parse(['--json', 'select 2;', '--header=false', 'extra']);
    assert.equal(flags.bool('json'), true);
    assert.equal(flags.bool('header'), false);
    assert.deepEqual(positional, ['select 2;', 'extra']);
  });

  it('treats everything after -- as positional and accepts negative numbers as values', () => {
    const { flags, positional } = Flags.parse(['--watchdog_level', '-1', '--', '--verbose']);
    assert.equal(flags.number('watchdog_level'), -1);
    assert.equal(flags.bool('verbose'), false);
    assert.deepEqual(positional, ['--verbose']);
  });

  it('accepts dashes for underscores and osquery aliases', () => {
    const { flags } = Flags.parse(['--config-check', '--osquery_log_dir=/var/tmp/logs', '--config_tls_refresh=30']);
    assert.equal(flags.bool('config_check'), true);
    assert.equal(flags.string('logger_path'), '/var/tmp/logs');
    assert.equal(flags.number('config_refresh'), 30);
  });

  it('reports --help and --version instead of treating them as flags', () => {
    assert.equal(Flags.parse(['--help']).help, true);
    assert.equal(Flags.parse(['-h']).help, true);
    assert.equal(Flags.parse(['--version']).version, true);
  });

  it('suggests the closest flag for an unknown name', () => {
    assert.throws(() => Flags.parse(['--disable_event=false']), (error: unknown) => {
      assert.ok(error instanceof FlagError);
      assert.equal(error.message, 'Unknown flag --disable_event. Did you mean --disable_events?');
      return true;
    });
    assert.throws(() => Flags.parse(['--evnets_max=3']), /Unknown flag --evnets_max\. Did you mean --events_max\?/);
    assert.throws(() => Flags.parse(['--zzzzzzzzzzzzzzzzzzzz']), /Unknown flag --zzzzzzzzzzzzzzzzzzzz\. Run with --help/);
  });

  it('rejects bad values with the flag name and what was expected', () => {
    assert.throws(() => Flags.parse(['--events_max=lots']), /Invalid value for flag --events_max: expected a non-negative integer.*"lots"/);
    assert.throws(() => Flags.parse(['--events_max=-5']), /--events_max/);
    assert.throws(() => Flags.parse(['--audit_backlog_limit=99999999999']), /--audit_backlog_limit: expected an integer between/);
    assert.throws(() => Flags.parse(['--verbose=maybe']), /--verbose: expected a boolean/);
    assert.throws(() => Flags.parse(['--audit_listen=broadcast']), /--audit_listen: must be one of auto, unicast, multicast/);
    assert.throws(() => Flags.parse(['--events_max']), /Flag --events_max needs a value/);
  });

  it('reads hex integers, and logger_mode as octal like its osquery description says', () => {
    const { flags } = Flags.parse(['--logger_mode=0600', '--read_max=0x100']);
    assert.equal(flags.number('logger_mode'), 0o600);
    assert.equal(flags.number('read_max'), 256);
  });

  it('keeps the sign of signed hex values (int32 --profile)', () => {
    for (const [text, value] of [['-0x10', -16], ['+0x10', 16], ['0x10', 16], ['-0X1f', -31]] as const) {
      assert.equal(Flags.parse([`--profile=${text}`], { mode: 'shell' }).flags.number('profile'), value, text);
    }
    assert.throws(() => Flags.parse(['--read_max=-0x10']), /read_max/);
  });

  it('applies shell-mode defaults: disable_events before parsing, logging and watchdog off after', () => {
    const shell = Flags.parse([], { mode: 'shell' }).flags;
    assert.equal(shell.bool('disable_events'), true);
    assert.equal(shell.source('disable_events'), 'mode');
    assert.equal(shell.bool('disable_logging'), true);
    assert.equal(shell.bool('disable_watchdog'), true);
    assert.equal(shell.number('hash_delay'), 0);
    assert.equal(shell.number('logger_min_status'), 1);

    const enabled = Flags.parse(['--disable_events=false', '--disable_logging=false'], { mode: 'shell' }).flags;
    assert.equal(enabled.bool('disable_events'), false);
    assert.equal(enabled.source('disable_events'), 'cli');
    assert.equal(enabled.bool('disable_logging'), true, 'the shell forces disable_logging after parsing, as osqueryi');

    const daemon = Flags.parse([], { mode: 'daemon' }).flags;
    assert.equal(daemon.bool('disable_events'), false);
    assert.equal(daemon.isDefault('disable_events'), true);
  });

  it('getters refuse unknown names and the wrong type', () => {
    const flags = new Flags();
    assert.throws(() => flags.bool('no_such_flag'), FlagError);
    assert.throws(() => flags.number('config_path'), /is a string flag/);
    assert.throws(() => flags.set('events_max', 'x', 'cli'), /--events_max/);
  });

  it('lists osquery_flags rows sorted, with osquery defaults, omitting 1-2 letter flags', () => {
    const rows = new Flags().rows();
    const names = rows.map((row) => row.name);
    assert.deepEqual(names, [...names].sort());
    assert.ok(!names.includes('A') && !names.includes('L') && !names.includes('S'));
    const byName = new Map(rows.map((row) => [row.name, row]));
    assert.deepEqual(byName.get('events_expiry'), {
      name: 'events_expiry', type: 'uint64', description: 'Timeout to expire event subscriber results',
      default_value: '3600', value: '3600', shell_only: 0,
    });
    assert.equal(byName.get('events_max')!.default_value, '50000');
    assert.equal(byName.get('disable_audit')!.default_value, 'true');
    assert.equal(byName.get('read_max')!.default_value, String(50 * 1024 * 1024));
    assert.equal(byName.get('separator')!.shell_only, 1);
    assert.equal(byName.get('header')!.value, 'true');
  });

  it('defines every flag once, with a type-correct default and a description', () => {
    const seen = new Set<string>();
    for (const definition of allFlagDefinitions()) {
      assert.ok(!seen.has(definition.name), `duplicate ${definition.name}`);
      seen.add(definition.name);
      assert.ok(definition.description.length > 0, definition.name);
      assert.equal(definition.validate?.(definition.default), undefined, `default of ${definition.name} fails validation`);
    }
    new Flags(); // throws if a default does not convert
  });
});
