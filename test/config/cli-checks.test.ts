import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Flags, loadConfigForFlags, runConfigCheck, usageText } from '@quarry/config';
import { positionOf, tempDir, writeFile } from './helpers.js';

describe('--config_check and --config_dump', () => {
  it('config_check succeeds silently for a valid config and returns warnings', () => {
    const dir = tempDir();
    const path = writeFile(dir, 'osquery.conf', '{"options": {"no_such_option": 1}, "schedule": {"q": {"query": "SELECT 1;"}}}');
    const result = runConfigCheck(Flags.parse([`--config_path=${path}`, '--config_check']).flags);
    assert.deepEqual(result, { exitCode: 0, output: '', stream: 'stdout', warnings: ['Cannot set unknown or invalid flag: no_such_option'] });
  });

  it('config_check fails with "Error reading config:" and the file:line:column', () => {
    const dir = tempDir();
    const text = '{\n  "schedule": {\n    "q": {"query": "SELECT 1;",}\n  }\n}\n';
    const path = writeFile(dir, 'osquery.conf', text);
    const { line, column } = positionOf(text, '}\n  }');
    const result = runConfigCheck(Flags.parse([`--config_path=${path}`, '--config_check']).flags);
    assert.equal(result.exitCode, 1);
    assert.equal(result.stream, 'stderr');
    assert.equal(result.output, `Error reading config: ${path}:${line}:${column}: Error parsing the config JSON: Trailing comma before '}' is not allowed in JSON\n`);
    const missing = runConfigCheck(Flags.parse([`--config_path=${join(dir, 'absent.conf')}`, '--config_check']).flags);
    assert.equal(missing.exitCode, 1);
    assert.match(missing.output, /^Error reading config: .*absent\.conf: config file does not exist/);
  });

  it('config_dump prints every source', () => {
    const dir = tempDir();
    const path = writeFile(dir, 'osquery.conf', '{"views": {"v": "SELECT 1;"}}');
    const result = runConfigCheck(Flags.parse([`--config_path=${path}`, '--config_dump']).flags);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(JSON.parse(result.output), { [path]: { views: { v: 'SELECT 1;' } } });
  });

  it('loadConfigForFlags applies options and tells a missing default config apart from an explicit one', () => {
    const dir = tempDir();
    const path = writeFile(dir, 'osquery.conf', '{"options": {"events_max": 42}}');
    const { flags } = Flags.parse([`--config_path=${path}`]);
    const loaded = loadConfigForFlags(flags);
    assert.ok(loaded.config);
    assert.equal(flags.number('events_max'), 42);
    const explicit = loadConfigForFlags(Flags.parse([`--config_path=${join(dir, 'nope.conf')}`]).flags);
    assert.equal(explicit.config, undefined);
    assert.equal(explicit.missingDefault, false);
    assert.match(explicit.error!.message, /config file does not exist/);
  });

  it('prints osquery-style usage sections', () => {
    const shell = usageText(new Flags(), { binary: 'quarryi', version: '0.1.0', mode: 'shell' });
    assert.match(shell, /^quarry 0\.1\.0, your OS as a high-performance relational database/);
    assert.match(shell, /Usage: quarryi \[OPTION\]\.\.\. \[SQL STATEMENT\]/);
    assert.match(shell, /osquery command line flags:\n(.|\n)*    --config_path VALUE +Path to JSON config file/);
    assert.match(shell, /osquery shell-only CLI flags:\n(.|\n)*    --json +Set output mode to 'json'/);
    assert.ok(!shell.includes('--audit_debug'), 'hidden flags are not listed');
    const daemon = usageText(new Flags(), { binary: 'quarryd', version: '0.1.0', mode: 'daemon' });
    assert.ok(!daemon.includes('shell-only'));
  });
});
