/**
 * Quarry knows every flag osquery 5.23 defines (../shared/reference/osquery-flags.md, all platforms), each exactly
 * once: an osquery flagfile, command line or `options` block never stops Quarry on a name osquery accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { allFlagDefinitions, Flags } from '@quarry/config';
import { quarryi } from '../shell/quarryi.js';

interface ReferenceFlag {
  name: string;
  aliasOf: string | undefined;
}

/** test/config/fixtures/osquery-flags.txt: the names of ../shared/reference/osquery-flags.md, `alias=flag` for aliases. */
function referenceFlags(): ReferenceFlag[] {
  const text = readFileSync(new URL('./fixtures/osquery-flags.txt', import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [name, aliasOf] = line.split('=');
      return { name: name!, aliasOf };
    });
}

test('the reference lists osquery 5.23\'s flags (the parser reads it)', () => {
  assert.ok(referenceFlags().length >= 270, `only ${referenceFlags().length} flags parsed`);
});

test('every osquery flag is known to Quarry, aliases resolve to their flag', () => {
  const flags = new Flags();
  const missing = referenceFlags().filter((flag) => !flags.has(flag.name)).map((flag) => flag.name);
  assert.deepEqual(missing, [], `osquery flags Quarry does not know: ${missing.join(', ')}`);
  for (const flag of referenceFlags()) {
    if (flag.aliasOf === undefined || !flags.has(flag.aliasOf)) continue; // `a` is an alias of an unlisted `n`
    assert.equal(flags.resolve(flag.name), flags.resolve(flag.aliasOf), `--${flag.name} is an alias of --${flag.aliasOf}`);
  }
});

test('no flag name or alias is defined twice', () => {
  const seen = new Map<string, number>();
  for (const definition of allFlagDefinitions()) {
    for (const name of [definition.name, ...(definition.aliases ?? [])]) seen.set(name, (seen.get(name) ?? 0) + 1);
  }
  const twice = [...seen].filter(([, count]) => count > 1).map(([name]) => name);
  assert.deepEqual(twice, [], `defined more than once: ${twice.join(', ')}`);
});

test('flags the issue measured as fatal are accepted; each reports "no effect in Quarry" once', () => {
  const args = ['--allow_unsafe', '--ignore_registry_exceptions', '--aws_region=eu-west-1', '--watchdog_level=3', '--rocksdb_write_buffer=8'];
  const result = quarryi([...args, '--json', 'select 1 as one']);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [{ one: '1' }]);
  for (const name of ['allow_unsafe', 'ignore_registry_exceptions', 'aws_region', 'rocksdb_write_buffer']) {
    const lines = result.stderr.split('\n').filter((line) => line.includes(`--${name}=`) && line.includes('has no effect in Quarry'));
    assert.equal(lines.length, 1, `one warning for --${name}:\n${result.stderr}`);
  }
});

test('an unknown flag osquery does not know either stays an error', () => {
  const result = quarryi(['--allow_unsafely', 'select 1']);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /Unknown flag --allow_unsafely\. Did you mean --allow_unsafe\?/);
});

test('--watchdog_level takes any int32, as osquery; a non-number is refused', () => {
  for (const level of ['-1', '0', '1', '2', '3']) assert.equal(Flags.parse([`--watchdog_level=${level}`]).flags.number('watchdog_level'), Number(level));
  assert.throws(() => Flags.parse(['--watchdog_level=high']), /Invalid value for flag --watchdog_level/);
});

test('osquery_flags lists a no-effect flag with its value; --help marks it', () => {
  const rows = quarryi(['--json', '--aws_region=eu-west-1', "select name, value from osquery_flags where name in ('aws_region', 'enable_foreign', 'db_path')"]);
  assert.equal(rows.status, 0, rows.stderr);
  assert.deepEqual(JSON.parse(rows.stdout), [{ name: 'aws_region', value: 'eu-west-1' }, { name: 'enable_foreign', value: 'false' }]);
  const help = quarryi(['--help']);
  assert.match(help.stdout, /--aws_region VALUE +AWS region \(no effect in Quarry\)/);
  assert.doesNotMatch(help.stdout, /--enable_foreign.*no effect/);
});
