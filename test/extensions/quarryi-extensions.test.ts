/** quarryi's extension manager: --extension autoloads a Python extension (python3-thrift) whose table the shell uses. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../temp-dir.js';
import { wrapper } from './thrift-peers.js';

const quarryi = fileURLToPath(new URL('../../bin/quarryi.js', import.meta.url));

function shell(args: string[], input?: string) {
  return spawnSync(process.execPath, [quarryi, ...args], { encoding: 'utf8', timeout: 60_000, ...(input !== undefined ? { input } : {}) });
}

describe('quarryi --extension', () => {
  const dir = tempDir('quarry-shell-ext-');
  const socket = join(dir, 'em', 'shell.em');
  const extension = wrapper(dir, 'table', 'QUARRY_EXT_NAME=py_shell');

  it('waits for the autoloaded extension; its table answers one-shot queries with constraints and joins', () => {
    const run = shell(['--json', `--extensions_socket=${socket}`, `--extension=${extension}`, "select e.name, e.type, f.path from osquery_extensions e join py_files f where f.path = '/etc/hosts' order by e.uuid"]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [
      { name: 'core', type: 'core', path: '/etc/hosts' },
      { name: 'py_shell', type: 'extension', path: '/etc/hosts' },
    ]);
    assert.equal(readArgs(), `--socket ${socket} --timeout 3 --interval 3`);
  });

  it('lists the table in .tables and .schema, and osquery_registry names its owner', () => {
    const run = shell([`--extensions_socket=${socket}`, `--extension=${extension}`, '--list'], '.tables\n.schema py_files\nselect registry, name from osquery_registry where owner_uuid != 0;\n');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /=> py_files\n/);
    assert.match(run.stdout, /CREATE TABLE py_files\(`path` TEXT, `size` INTEGER, `mode` TEXT/);
    assert.match(run.stdout, /table\|py_files\n/);
  });

  it('--extensions_require names an extension that never registered and exits 1', () => {
    const run = shell([`--extensions_socket=${socket}`, '--extensions_require=nope', '--extensions_timeout=1', '--nodisable_extensions', 'select 1']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Error: Required extension not registered within 1 s \(--extensions_require\): nope/);
  });

  function readArgs(): string {
    return spawnSync('head', ['-n1', join(dir, 'args-table')], { encoding: 'utf8' }).stdout.trim();
  }
});

describe('interactive quarryi with extensions (a real pseudo-terminal)', () => {
  it('extension tables work in the engine thread, and come back after Ctrl-C restarts a thread stuck in a hung extension', () => {
    const dir = tempDir('quarry-shell-ext-pty-');
    const socket = join(dir, 'em', 'shell.em');
    const autoload = join(dir, 'extensions.load');
    writeFileSync(autoload, `${wrapper(dir, 'table')}\n${wrapper(dir, 'hang')}\n`);
    const spec = {
      argv: [process.execPath, quarryi, `--extensions_socket=${socket}`, `--extensions_autoload=${autoload}`, '--extensions_timeout=10'],
      env: { HOME: dir, TERM: 'xterm' },
      steps: [
        { expect: 'quarry> $', timeout: 30 },
        { send: ".mode line\r", expect: 'quarry> $' },
        { send: "select path from py_files where path = '/etc/hosts';\r", expect: 'path = /etc/hosts[\\s\\S]*quarry> $', timeout: 20 },
        { send: 'select * from py_hang;\r', expect: null, timeout: 2 },
        { send: '\x03', expect: 'Error: .*interrupted[\\s\\S]*quarry> $', timeout: 15 },
        { send: "select count(*) as n from py_files;\r", expect: 'n = 2[\\s\\S]*quarry> $', timeout: 20 },
        { send: '.tables\r', expect: '=> py_files[\\s\\S]*=> py_hang[\\s\\S]*quarry> $' },
        { send: '\x04', expect: null, timeout: 1 },
      ],
    };
    const run = spawnSync('python3', [fileURLToPath(new URL('../shell/pty-driver.py', import.meta.url)), JSON.stringify(spec)], { encoding: 'utf8', timeout: 120_000 });
    const result = JSON.parse(run.stdout) as { transcript: string; failed_step: number | null };
    assert.equal(result.failed_step, null, result.transcript);
  });
});
