import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FlagError, Flags } from '@quarry/config';
import { tempDir, writeFile } from './helpers.js';

describe('--flagfile', () => {
  it('reads one flag per line with comments and blank lines', () => {
    const dir = tempDir();
    const file = writeFile(dir, 'osquery.flags', [
      '# audit for the workshop',
      '',
      '--disable_audit=false',
      '   --audit_allow_config=true   ',
      '--events_max 777',
      '--noevents_optimize',
      '  # indented comment',
      '--logger_path=/var/tmp/my logs/',
    ].join('\n'));
    const { flags, flagfiles } = Flags.parse([`--flagfile=${file}`]);
    assert.equal(flags.bool('disable_audit'), false);
    assert.equal(flags.bool('audit_allow_config'), true);
    assert.equal(flags.number('events_max'), 777);
    assert.equal(flags.bool('events_optimize'), false);
    assert.equal(flags.string('logger_path'), '/var/tmp/my logs/', 'no quoting or shell expansion, spaces kept');
    assert.equal(flags.source('disable_audit'), 'flagfile');
    assert.equal(flags.string('flagfile'), file);
    assert.deepEqual(flagfiles, [file]);
  });

  it('applies flags in command-line order: later arguments win', () => {
    const dir = tempDir();
    const file = writeFile(dir, 'f.flags', '--events_max=5\n');
    assert.equal(Flags.parse(['--events_max=1', '--flagfile', file]).flags.number('events_max'), 5);
    const later = Flags.parse(['--flagfile', file, '--events_max=9']).flags;
    assert.equal(later.number('events_max'), 9);
    assert.equal(later.source('events_max'), 'cli');
  });

  it('names the file and line of a malformed line', () => {
    const dir = tempDir();
    const file = writeFile(dir, 'bad.flags', '# ok\n--verbose\nevents_max=3\n');
    assert.throws(() => Flags.parse([`--flagfile=${file}`]), (error: unknown) => {
      assert.ok(error instanceof FlagError);
      assert.equal(error.message, `${file}:3: Expected one flag per line, like --name=value; got "events_max=3"`);
      return true;
    });
  });

  it('names the file and line of an unknown flag or a bad value', () => {
    const dir = tempDir();
    const unknown = writeFile(dir, 'unknown.flags', '\n\n--disable_evnts=false\n');
    assert.throws(() => Flags.parse([`--flagfile=${unknown}`]), new RegExp(`^.*unknown\\.flags:3: Unknown flag --disable_evnts\\. Did you mean --disable_events\\?$`));
    const bad = writeFile(dir, 'bad-int.flags', '--events_expiry=1h\n');
    assert.throws(() => Flags.parse([`--flagfile=${bad}`]), /bad-int\.flags:1: Invalid value for flag --events_expiry: expected a non-negative integer.*"1h"/);
  });

  it('fails clearly for a missing flagfile and for flagfiles that include each other', () => {
    const dir = tempDir();
    assert.throws(() => Flags.parse([`--flagfile=${join(dir, 'nope.flags')}`]), /Cannot read flagfile .*nope\.flags: ENOENT/);
    const a = join(dir, 'a.flags');
    const b = writeFile(dir, 'b.flags', `--flagfile=${a}\n`);
    writeFile(dir, 'a.flags', `--flagfile=${b}\n`);
    assert.throws(() => Flags.parse([`--flagfile=${a}`]), /nests --flagfile more than 8 levels/);
  });

  it('does nothing special without --flagfile (no default flagfile is read)', () => {
    const { flags, flagfiles } = Flags.parse([]);
    assert.deepEqual(flagfiles, []);
    assert.equal(flags.string('flagfile'), '');
  });
});
